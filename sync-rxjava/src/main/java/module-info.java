/**
 * Tributary for RxJava 3: every channel and primitive of {@code dev.tributary.sync} as {@code
 * Flowable}, {@code Single}, {@code Maybe} and {@code Completable}, lazy and disposal-correct.
 * Exports {@code dev.tributary.sync.rxjava3}.
 */
// The name ends in a digit on purpose, as RxJava's own io.reactivex.rxjava3 does: it names the
// RxJava major version it adapts. javac's "module" lint warns about terminal digits.
@SuppressWarnings("module")
module dev.tributary.sync.rxjava3 {
    requires transitive dev.tributary.sync;
    requires transitive io.reactivex.rxjava3;

    exports dev.tributary.sync.rxjava3;
}
