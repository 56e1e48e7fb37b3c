/**
 * Micrometer meters for Tributary's primitives, one {@link
 * io.micrometer.core.instrument.binder.MeterBinder} per primitive, named and tagged as Micrometer's
 * own binders are:
 *
 * <ul>
 *   <li>{@link dev.tributary.sync.micrometer.SemaphoreMetrics}: {@code tributary.semaphore.*}
 *   <li>{@link dev.tributary.sync.micrometer.MpscMetrics}: {@code tributary.mpsc.*}
 *   <li>{@link dev.tributary.sync.micrometer.BroadcastMetrics}: {@code tributary.broadcast.*}
 *   <li>{@link dev.tributary.sync.micrometer.MutexMetrics}: {@code tributary.mutex.*}
 * </ul>
 *
 * <p>Every meter carries a {@code name} tag, the name the application gives the primitive (as
 * {@code ExecutorServiceMetrics} tags {@code executor.*} meters with the executor's name), plus any
 * extra tags passed to the binder. Every meter has a description and, where there is one, a base
 * unit.
 *
 * <p><b>References.</b> Gauges hold their primitive weakly, as Micrometer's gauges do by default
 * (and as {@code ExecutorServiceMetrics} and {@code JvmMemoryMetrics} leave them): a binder never
 * keeps a primitive alive, and once the primitive is garbage-collected its gauges report {@code
 * NaN}. Keep a reference to the primitive for as long as it should be measured.
 *
 * <p><b>Threads.</b> Every gauge reads a monitoring getter of {@code dev.tributary.sync}:
 * lock-free, never blocking, safe to call from the registry's publishing thread at any time. The
 * values are snapshots that may be stale by the time they are published.
 */
package dev.tributary.sync.micrometer;
