/**
 * The waiter core shared by every Tributary primitive that waits, the stack-safe futures and the
 * trampoline. Not exported by {@code module-info.java}: nothing here is API. The design behind it
 * is in the repository's {@code docs/design.md}.
 *
 * <h2>Access modes</h2>
 *
 * <ul>
 *   <li><em>plain</em> fields are guarded by the owner's lock or confined to one thread; the class
 *       or field comment says which.
 *   <li><em>volatile</em> fields are read with acquire and written with release semantics; the
 *       {@code VarHandle} method at each access names its mode ({@code getAcquire}, {@code
 *       setRelease}, {@code setVolatile}, {@code compareAndSet}), and a comment at each release or
 *       acquire names the access it pairs with ({@code // release; pairs with ...}).
 *   <li><em>sequentially consistent</em> accesses are needed only where a sleeper and a waker each
 *       store one field and then load the other's (the Dekker pattern of every sleep/wake re-check:
 *       a consumer publishes its waiter and re-checks the data, a producer publishes the data and
 *       re-checks the waiter); those stay volatile (or full-fence CAS) on both sides, and each
 *       implementation overview lists them.
 * </ul>
 *
 * <h2>Locking rules</h2>
 *
 * A primitive's own lock guards only its waiter list and the fields named as guarded by it. No user
 * code runs, and no future is completed, while it is held: claimed waiters are collected (in a
 * {@link dev.tributary.sync.internal.FireChain}) and fired after unlocking. Locks are never nested
 * across primitives.
 *
 * <h2>Glossary (one word per concept)</h2>
 *
 * <dl>
 *   <dt>claim
 *   <dd>The owner's CAS that takes a pending waiter ({@code Waiter.tryClaim}, {@code
 *       ClaimFuture.tryClaim}) so that it alone completes it. Nothing else is called claiming (a
 *       broadcast sender <em>reserves</em> a ring position; a oneshot sender is <em>consumed</em>).
 *   <dt>cancel / withdraw
 *   <dd>{@code tryCancel} is the outside CAS that beats the claim; {@code withdraw} is what the
 *       owner then does: unlink the waiter and give back anything assigned to it.
 *   <dt>fire
 *   <dd>Deliver a claimed waiter's outcome after unlocking: complete its future (through the
 *       trampoline) or unpark its thread.
 *   <dt>deliver / undelivered
 *   <dd>Hand a value to a consumer (a future's completion, an {@code onNext}); {@code undelivered}
 *       is the hand-back when an outside completion won after a claim.
 *   <dt>grant
 *   <dd>Permits assigned to a waiter by a release.
 *   <dt>settle
 *   <dd>The next operation on a receiver applying the outcome of its previous, completed wait
 *       (moving the cursor or marking a version seen only if the future holds that outcome).
 *   <dt>relaxedPoll / poll
 *   <dd>As in JCTools: in {@code MpscQueue}, {@code relaxedPoll} is the consumer's read that may
 *       miss an element whose producer is mid-push (it returns null); {@code poll} waits for such a
 *       producer, so it returns null only when the queue is empty.
 * </dl>
 */
package dev.tributary.sync.internal;
