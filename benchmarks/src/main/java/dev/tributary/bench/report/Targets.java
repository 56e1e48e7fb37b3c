package dev.tributary.bench.report;

import java.util.List;

/** Issue 5's targets, as groups and implementations of the benchmarks in this module. */
final class Targets {

    private Targets() {}

    /** Every target; filled in once the benchmark classes' group names are fixed. */
    static final List<Target> ALL = List.of();
}
