package dev.tributary.sync.tck;

import dev.tributary.sync.Oneshot;

/** TCK support for the Oneshot views. */
final class OneshotTck {
    private OneshotTck() {}

    /**
     * A channel whose receiver's publisher has exactly {@code n} elements, {@code n} being 0 or 1
     * (the TCK asks for no more, since {@code maxElementsFromPublisher()} is 1): for 1 the value 0
     * is sent; for 0 the sender closes without a value.
     */
    static Oneshot.Channel<Long> publisher(long n) {
        if (n < 0 || n > 1) {
            throw new IllegalArgumentException("a oneshot has 0 or 1 element, asked for " + n);
        }
        Oneshot.Channel<Long> ch = Oneshot.channel();
        if (n == 1) {
            ch.sender().send(0L);
        } else {
            ch.sender().close();
        }
        return ch;
    }
}
