/**
 * Tributary for RxJava 3: every channel and primitive of {@code dev.tributary.sync} as {@code
 * Flowable}, {@code Single}, {@code Maybe} and {@code Completable}, lazy and disposal-correct.
 * Exports {@code dev.tributary.sync.rxjava3}.
 */
module dev.tributary.sync.rxjava3 {
    requires transitive dev.tributary.sync;
    requires transitive io.reactivex.rxjava3;

    exports dev.tributary.sync.rxjava3;
}
