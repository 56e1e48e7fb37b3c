/** Tributary's public API: tokio::sync's primitives and channels in Java form. */
package dev.tributary.sync;
