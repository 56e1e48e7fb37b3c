package dev.tributary.sync.reactor;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Tells <a href="https://github.com/reactor/BlockHound">BlockHound</a> which of sync-core's waits
 * are not blocking operations, so that an application that runs BlockHound over Tributary's async
 * paths on non-blocking threads (e.g. {@code Schedulers.parallel()}) sees only real blocking calls.
 *
 * <p>Two waits are allowed, and nothing else:
 *
 * <ul>
 *   <li>{@code ShortLock.lock()}: the lock of sync-core's waiter lists and channel slow paths. It
 *       is held for O(1) steps or the unlinking of the waiters a release wakes, never across user
 *       code or a completion (waiters are completed after it is released), so a thread that finds
 *       it held waits only for a few instructions of another thread; under contention the JDK may
 *       park it for that long. Watch's write lock, which runs the user's {@code sendModify}
 *       function, is a plain lock and is still reported.
 *   <li>{@code Spin.backOff}: the bounded spin (with {@code Thread.onSpinWait}, then {@code
 *       Thread.yield}) for a slot another thread has claimed and is in the middle of writing, as in
 *       JCTools' queues.
 * </ul>
 *
 * <p>The {@code blocking*} methods are not allowed: called on a Reactor non-blocking thread they
 * throw {@code IllegalStateException} before they could park.
 *
 * <p>Registration: on the class path BlockHound finds this integration by {@code ServiceLoader}
 * ({@code META-INF/services}) when {@code BlockHound.install()} runs, with no code; on the module
 * path, pass it explicitly: {@code BlockHound.install(new TributaryBlockHoundIntegration())}.
 * BlockHound is an optional dependency of this module: without it on the class path, this class is
 * simply never loaded.
 */
@SuppressWarnings("exports") // BlockHound types, from an optional (static) module, by design
public final class TributaryBlockHoundIntegration implements BlockHoundIntegration {

    /** Creates the integration (BlockHound's {@code ServiceLoader} calls this). */
    public TributaryBlockHoundIntegration() {}

    /**
     * Allows sync-core's short lock and its half-written-slot spin; see the class documentation.
     *
     * @param builder BlockHound's builder
     */
    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("dev.tributary.sync.internal.ShortLock", "lock");
        builder.allowBlockingCallsInside("dev.tributary.sync.internal.Spin", "backOff");
    }
}
