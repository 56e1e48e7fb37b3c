package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Semaphore;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's example, kept compiling and correct. */
class ReadmeExampleTest {

    static Flowable<String> callService(int job) {
        return Flowable.fromCallable(() -> "done " + job).subscribeOn(Schedulers.io());
    }

    @Test
    void readmeExample() {
        // README example begins
        Mpsc.Channel<Integer> jobs = Mpsc.channel(16);
        Semaphore limit = new Semaphore(4); // shared by every pipeline that calls the service

        // two producers merged into one channel, with backpressure
        Completable.mergeArray(
                        RxChannels.sendAll(jobs.sender(), Flowable.range(0, 50)),
                        RxChannels.sendAll(jobs.sender(), Flowable.range(50, 50)))
                .doOnComplete(jobs.sender()::close) // the stream ends when both are done
                .subscribe();

        List<String> results =
                RxChannels.flowable(jobs.receiver())
                        .compose(RxSync.limit(limit, job -> callService(job))) // <= 4 at once
                        .toList()
                        .blockingGet();
        // README example ends
        assertEquals(100, results.size());
        assertEquals(4, limit.availablePermits());
    }
}
