/**
 * Tributary's public API: tokio::sync's primitives and channels in Java form.
 *
 * <h2 id="conventions">Conventions</h2>
 *
 * <ul>
 *   <li><b>Waits</b> return a {@code CompletableFuture}, registered at call time ("hot") and
 *       already complete when no wait is needed.
 *   <li><b>Cancel contract</b>: completing a returned future from outside — {@code cancel}, {@code
 *       complete}, {@code completeExceptionally}, {@code completeAsync}, {@code orTimeout}, {@code
 *       completeOnTimeout} — withdraws the operation atomically, exactly once: either it took
 *       effect first (the future holds its result and the outside completion loses) or it never
 *       will (nothing consumed, no permit kept, no waiter left registered). {@code obtrudeValue}
 *       and {@code obtrudeException} throw {@code UnsupportedOperationException} on the future of a
 *       pending operation. Cancelling a <em>dependent</em> ({@code lock().thenApply(f)}) does not
 *       reach the source.
 *   <li><b>Never waits</b>: {@code tryX} returns {@code null} (or {@code false}) for "not now".
 *   <li><b>Blocking forms</b> ({@code blockingX}) park with {@code LockSupport}, suit virtual
 *       threads, and are interruptible (an interrupt withdraws like {@code cancel}).
 * </ul>
 *
 * <h2 id="stack-safety">Stack safety</h2>
 *
 * Every future a Tributary method returns — including one that is already complete because no wait
 * was needed — and every stage derived from it with the standard {@code CompletionStage} methods
 * ({@code thenApply}, {@code thenAccept}, {@code thenRun}, {@code thenCompose}, {@code handle},
 * {@code whenComplete}, {@code exceptionally}, {@code exceptionallyCompose}, the {@code Both} and
 * {@code Either} forms, and the {@code Async} forms given an executor, even a direct one such as
 * {@code Runnable::run}) runs its continuations in bounded stack depth. So a loop written as
 * recursion over continuations,
 *
 * <pre>{@code
 * void loop(Mpsc.Receiver<Msg> rx) {
 *     rx.recv().thenAccept(m -> { handle(m); loop(rx); });
 * }
 * }</pre>
 *
 * runs for as long as messages come, whether each {@code recv()} finds a message already there or
 * waits for one, and request/reply ping-pong between two channels written as continuations on both
 * sides runs for any number of rounds on one thread. No {@code isDone()} loop is needed.
 *
 * <p>Order and thread are those of {@code CompletableFuture}: an action runs on the thread that
 * completes the future (after internal locks are released) or, if the future is already complete,
 * on the thread that attaches the action, after the actions attached before it. While the nesting
 * of such continuations on a thread is shallow, an action attached to a complete future runs before
 * the attaching call returns, as in the JDK; once it is deep (16 nested continuations), further
 * actions are queued on that thread and run, in order, as soon as the outermost continuation
 * returns. {@code join()} and {@code get()} on such a future, called from a continuation on the
 * same thread, run the queued actions instead of waiting for themselves.
 *
 * <p>Not covered: {@code minimalCompletionStage()} and {@code CompletableFuture.allOf/anyOf} return
 * the JDK's own futures, whose dependents are plain; and blocking inside a continuation blocks the
 * completing thread, as in Reactor.
 */
package dev.tributary.sync;
