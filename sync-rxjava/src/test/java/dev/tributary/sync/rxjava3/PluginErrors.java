package dev.tributary.sync.rxjava3;

import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Captures what reaches {@link RxJavaPlugins#onError} while open; restores the handler on close.
 */
final class PluginErrors implements AutoCloseable {
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    PluginErrors() {
        RxJavaPlugins.setErrorHandler(errors::add);
    }

    /** The errors, each unwrapped from RxJava's UndeliverableException. */
    List<Throwable> causes() {
        return errors.stream()
                .map(
                        e ->
                                e instanceof io.reactivex.rxjava3.exceptions.UndeliverableException
                                        ? e.getCause()
                                        : e)
                .toList();
    }

    @Override
    public void close() {
        RxJavaPlugins.reset();
    }
}
