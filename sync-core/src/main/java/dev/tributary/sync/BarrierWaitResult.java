package dev.tributary.sync;

/**
 * What a {@link Barrier} wait returns once every party has arrived: tokio's {@code
 * BarrierWaitResult}. Exactly one wait per generation is the leader. Immutable.
 */
public final class BarrierWaitResult {
    static final BarrierWaitResult LEADER = new BarrierWaitResult(true);
    static final BarrierWaitResult FOLLOWER = new BarrierWaitResult(false);

    private final boolean leader;

    private BarrierWaitResult(boolean leader) {
        this.leader = leader;
    }

    /**
     * Returns true for the one wait of its generation that is the leader: the last party to arrive,
     * whose wait completes at once and releases the others.
     *
     * @return whether this wait led its generation
     */
    public boolean isLeader() {
        return leader;
    }

    @Override
    public String toString() {
        return leader ? "BarrierWaitResult[leader]" : "BarrierWaitResult[follower]";
    }
}
