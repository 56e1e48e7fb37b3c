/**
 * Project Reactor entry points for Tributary's channels and primitives: {@link
 * dev.tributary.sync.reactor.ReactorChannels} ({@code Flux} of a receiver, {@code Mono} of a
 * oneshot or of one send, {@code sendAll} of a whole {@code Publisher} into an mpsc channel) and
 * {@link dev.tributary.sync.reactor.ReactorSync} ({@code Mono}s of guards and permits, the scoped
 * {@code withLock}/{@code withPermit} forms, the shared concurrency limiter {@code limit}, and the
 * one-time waits).
 *
 * <ul>
 *   <li><b>Cold</b>: every method returns a cold {@code Flux} or {@code Mono}: nothing registers a
 *       waiter, takes a permit or receives a value before subscription, and each subscription is a
 *       fresh operation.
 *   <li><b>Cancellation</b>: a cancelled or timed-out subscription withdraws its waiter
 *       (sync-core's cancel contract: {@code future.cancel(false)}); a guard or permit granted in
 *       the race is released, and receiving views take a message out of the channel only to hand it
 *       to {@code onNext}, so a cancel loses none.
 *   <li><b>Errors</b>: arguments are checked at assembly; runtime conditions are {@code onError}.
 *   <li><b>Completion thread</b>: signals arrive on the thread that completes the underlying wait,
 *       as for sync-core's futures (the releasing, sending or notifying thread, or the subscribing
 *       thread when no wait is needed), and are stack-safe: sync-core completes through a
 *       trampoline. Nothing here blocks a thread, so every entry point may be used on Reactor's
 *       non-blocking schedulers.
 * </ul>
 */
package dev.tributary.sync.reactor;
