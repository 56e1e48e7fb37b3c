package dev.tributary.sync;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
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

    /**
     * An operation of a custom scenario: the public method {@code name} of the tested class, called
     * with {@code args}.
     *
     * @param name the method's name
     * @param args its arguments
     */
    public record Op(String name, Object... args) {}

    /**
     * Returns an operation for a custom scenario.
     *
     * @param name the method's name
     * @param args its arguments
     * @return the operation
     */
    public static Op op(String name, Object... args) {
        return new Op(name, args);
    }

    /**
     * Builds a custom scenario of {@code type}'s operations, checked afterwards by its {@code
     * validate} method.
     *
     * @param type the tested class
     * @param validate the name of its {@code @Validate} method
     * @param init operations run first, on one thread
     * @param parallel one list of operations per thread
     * @param post operations run last, on one thread
     * @return the scenario
     */
    public static ExecutionScenario scenario(
            Class<?> type, String validate, List<Op> init, List<List<Op>> parallel, List<Op> post) {
        List<List<Actor>> threads = new ArrayList<>();
        for (List<Op> t : parallel) {
            threads.add(actors(type, t));
        }
        return new ExecutionScenario(
                actors(type, init), threads, actors(type, post), actor(type, validate));
    }

    private static List<Actor> actors(Class<?> type, List<Op> ops) {
        List<Actor> actors = new ArrayList<>();
        for (Op o : ops) {
            actors.add(actor(type, o.name(), o.args()));
        }
        return actors;
    }

    /**
     * Returns the actor calling {@code type}'s public method {@code name} (the one with as many
     * parameters as {@code args}) with {@code args}.
     *
     * @param type the tested class
     * @param name the method's name
     * @param args its arguments
     * @return the actor
     */
    public static Actor actor(Class<?> type, String name, Object... args) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return new Actor(m, Arrays.asList(args), false, false, false, false, false);
            }
        }
        throw new AssertionError("no operation " + name + " with " + args.length + " arguments");
    }
}
