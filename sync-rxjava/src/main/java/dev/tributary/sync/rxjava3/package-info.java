/**
 * RxJava 3 entry points for Tributary's channels and primitives: {@link
 * dev.tributary.sync.rxjava3.RxChannels} (mpsc, broadcast, watch and oneshot as {@code Flowable},
 * {@code Maybe}, {@code Single} and {@code Completable}, and {@code sendAll}, the backpressured way
 * to merge producers) and {@link dev.tributary.sync.rxjava3.RxSync} (locks, permits, notifications,
 * barriers and cells, plus {@code limit}, a concurrency limiter that many pipelines can share).
 *
 * <p>Every method returns a cold {@code Flowable}, {@code Single}, {@code Maybe} or {@code
 * Completable}: nothing registers a waiter, takes a permit or receives a value before subscription,
 * and each subscription is a fresh operation. Disposal (and {@code timeout}) withdraws the waiter
 * under sync-core's cancel contract; a lock, permit or value granted in the race is released or
 * left in the channel. A null or out-of-range argument throws at assembly; a runtime condition is
 * an {@code onError} signal; an error that arrives after disposal goes to {@code
 * RxJavaPlugins.onError}. No method uses a scheduler: signals arrive on the thread that completes
 * the operation, trampolined by sync-core so that long chains keep a flat stack.
 */
package dev.tributary.sync.rxjava3;
