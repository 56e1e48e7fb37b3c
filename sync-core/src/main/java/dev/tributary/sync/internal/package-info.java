/**
 * The waiter core shared by every Tributary primitive that waits. Not exported by {@code
 * module-info.java}: nothing here is API.
 *
 * <p>Field access legend used in comments: <em>plain</em> accesses are guarded by the owner's lock
 * or confined to one thread; <em>volatile</em> fields are read with acquire and written with
 * release semantics, and each such access names the access it pairs with.
 */
package dev.tributary.sync.internal;
