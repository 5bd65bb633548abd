package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Dynamic batching without a model: grouping by key, order of results, the queue bound, closing. */
class BatcherTest {
    @Test
    void requestsWithEqualKeysShareABatchAndGetTheirOwnResults() throws Exception {
        List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        ExecutorService worker = Executors.newSingleThreadExecutor();
        // the longest wait allowed: a batch closes when its fourth request arrives, never because the test thread
        // was descheduled between two submits (a 200 ms wait split the batches on a loaded machine)
        Batcher<Integer, Integer> batcher = new Batcher<>(
                "m",
                ServeOptions.defaults().withBatching(4, 60_000),
                job -> job % 2,
                jobs -> {
                    batches.add(List.copyOf(jobs));
                    return jobs.stream().map(j -> j * 10).toList();
                },
                worker,
                new ServerMetrics());
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(batcher.submit(i));
        }
        for (int i = 0; i < 8; i++) {
            assertThat(results.get(i).get()).isEqualTo(i * 10);
        }
        assertThat(batches).containsExactlyInAnyOrder(List.of(0, 2, 4, 6), List.of(1, 3, 5, 7));
        batcher.close();
        assertThatThrownBy(() -> batcher.submit(1)).isInstanceOf(ApiException.class);
        worker.shutdown();
    }

    @Test
    void aFullQueueRefusesWith429AndAFailedBatchFailsEachRequest() throws Exception {
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        Batcher<Integer, Integer> batcher = new Batcher<>(
                "m",
                ServeOptions.defaults().withBatching(1, 0).withQueue(2, 1000),
                job -> null,
                jobs -> {
                    taken.countDown();
                    release.await();
                    if (jobs.get(0) < 0) {
                        throw new IllegalArgumentException("negative");
                    }
                    return jobs;
                },
                worker,
                new ServerMetrics());
        CompletableFuture<Integer> running = batcher.submit(-1);
        // the worker has taken it off the queue and blocks (a fixed sleep here could end before the worker ran, and
        // then the queue was full one request early)
        assertThat(taken.await(60, TimeUnit.SECONDS)).isTrue();
        batcher.submit(2);
        batcher.submit(3);
        assertThatThrownBy(() -> batcher.submit(4))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
        release.countDown();
        assertThatThrownBy(running::join).hasCauseInstanceOf(IllegalArgumentException.class);
        batcher.close();
        worker.shutdown();
    }
}
