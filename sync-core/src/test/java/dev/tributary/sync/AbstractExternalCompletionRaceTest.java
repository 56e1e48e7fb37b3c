package dev.tributary.sync;

import dev.tributary.sync.ExternalCompletion.Case;
import dev.tributary.sync.ExternalCompletion.Entry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The four drivers of a cancel-contract test ({@code *ExternalCompletionRaceTest}), run over the
 * waiting methods that the concrete class lists in {@link #cases()}; see {@link ExternalCompletion}
 * for the contract and the drivers.
 *
 * <p>For every case: the race of every entry point against the grant ({@value #ITERATIONS}
 * iterations each), the outside completion with no grant at all, the outside completion after the
 * grant's claim but before its delivery (the synchronous entry points), and obtrude. The invariants
 * are the rounds' own {@link ExternalCompletion.Round#check} and {@link
 * ExternalCompletion.Round#leftover}.
 *
 * <p>One test instance per class ({@link TestInstance.Lifecycle#PER_CLASS}), so that the argument
 * sources can be the instance method {@link #cases()}; the cases hold no state (each {@link
 * Case#start()} sets up a fresh primitive).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class AbstractExternalCompletionRaceTest {
    /** Race iterations per case and entry point. */
    static final int ITERATIONS = 2_000;

    /** Iterations of the no-grant driver per case and entry point. */
    static final int WITHDRAW_ITERATIONS = 20;

    /** The waiting methods under test, each named for the report. */
    abstract List<Case> cases();

    Stream<Arguments> matrix() {
        return ExternalCompletion.matrix(cases());
    }

    Stream<Arguments> synchronousMatrix() {
        return ExternalCompletion.synchronousMatrix(cases());
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("matrix")
    void outsideCompletionRacesGrant(Case c, Entry e) throws Exception {
        ExternalCompletion.raceLoop(c, e, ITERATIONS);
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("matrix")
    void outsideCompletionWithdrawsAtOnce(Case c, Entry e) throws Exception {
        ExternalCompletion.withdrawWithoutGrant(c, e, WITHDRAW_ITERATIONS);
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("synchronousMatrix")
    void outsideCompletionAfterClaimBeforeDelivery(Case c, Entry e) throws Exception {
        ExternalCompletion.claimedThenCompleted(c, e);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void obtrudeIsUnsupported(Case c) throws Exception {
        ExternalCompletion.obtrudeUnsupported(c);
    }
}
