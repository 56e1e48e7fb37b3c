package dev.tributary.sync;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

/**
 * The Lincheck model-checking budget shared by the {@code *LincheckTest} classes: small by default
 * so that {@code mvn -B verify} stays within the CI budget on two cores, deeper on request with
 * {@code -Dlincheck.iterations=N -Dlincheck.invocations=M}.
 */
public final class ModelChecks {
    private ModelChecks() {}

    /**
     * Returns model-checking options for three threads of two operations each.
     *
     * @param iterations scenarios to generate, unless {@code lincheck.iterations} is set
     * @param invocations interleavings to explore per scenario, unless {@code lincheck.invocations}
     *     is set
     * @return the options; callers add what their scenarios need and call {@code check}
     */
    public static ModelCheckingOptions options(int iterations, int invocations) {
        return new ModelCheckingOptions()
                .iterations(Integer.getInteger("lincheck.iterations", iterations))
                .invocationsPerIteration(Integer.getInteger("lincheck.invocations", invocations))
                .threads(3)
                .actorsPerThread(2);
    }
}
