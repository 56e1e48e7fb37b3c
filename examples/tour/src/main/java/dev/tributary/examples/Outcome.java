package dev.tributary.examples;

/**
 * What an example returns: the facts it observed, and whether they show what the example set out to
 * show. The tour prints the verdict; the tests check the facts themselves.
 */
public interface Outcome {

    /**
     * Returns whether the example achieved what it shows (every message delivered, every value
     * handed out once, the limit held, ...).
     *
     * @return true if it did
     */
    boolean succeeded();
}
