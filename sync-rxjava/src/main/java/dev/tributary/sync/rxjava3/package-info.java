/**
 * RxJava 3 entry points for Tributary's channels and primitives.
 *
 * <p>Every method returns a cold {@code Flowable}, {@code Single}, {@code Maybe} or {@code
 * Completable}: nothing registers a waiter, takes a permit or receives a value before subscription,
 * and each subscription is a fresh operation.
 */
package dev.tributary.sync.rxjava3;
