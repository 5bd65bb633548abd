package dev.perceiver.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Dynamic batching for one model: requests wait in a bounded queue; one worker takes the oldest, waits up to {@code
 * maxWaitMs} after its arrival for more requests with the same batch key, and runs up to {@code maxBatchSize} of
 * them in one call. Requests with different keys (e.g. other generation options) never share a batch, so a result
 * depends only on its own request. A full queue refuses new requests (429); a request whose caller gave up is
 * dropped before it runs.
 *
 * @param <J> a request
 * @param <R> its result
 */
final class Batcher<J, R> implements AutoCloseable {
    /** Runs a batch: one result per job, in order. */
    @FunctionalInterface
    interface BatchFunction<J, R> {
        List<R> apply(List<J> jobs) throws Exception;
    }

    private record Pending<J, R>(J job, Object key, long arrivalNanos, CompletableFuture<R> result) {}

    private final String model;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final int maxQueue;
    private final Function<J, Object> key;
    private final BatchFunction<J, R> function;
    private final ServerMetrics metrics;
    private final ArrayDeque<Pending<J, R>> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean closed;

    /**
     * @param key requests with equal keys may share a batch; a null key never shares
     * @param worker runs the batching loop (one long task) until {@link #close()}
     */
    Batcher(
            String model,
            ServeOptions options,
            Function<J, Object> key,
            BatchFunction<J, R> function,
            Executor worker,
            ServerMetrics metrics) {
        this.model = model;
        this.maxBatchSize = options.maxBatchSize();
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(options.maxWaitMs());
        this.maxQueue = options.maxQueue();
        this.key = key;
        this.function = function;
        this.metrics = metrics;
        worker.execute(this::loop);
    }

    /**
     * Queues a request.
     *
     * @throws ApiException 429 when {@code max_queue} requests already wait, 503 after {@link #close()}
     */
    CompletableFuture<R> submit(J job) {
        CompletableFuture<R> result = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                throw new ApiException(503, null, "model " + model + " is shutting down");
            }
            if (queue.size() >= maxQueue) {
                throw new ApiException(
                        429,
                        null,
                        "model " + model + " has " + queue.size() + " requests waiting (max_queue " + maxQueue
                                + "); retry later");
            }
            queue.addLast(new Pending<>(job, key.apply(job), System.nanoTime(), result));
            metrics.queueLength(model, queue.size());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return result;
    }

    private void loop() {
        try {
            while (true) {
                List<Pending<J, R>> batch = next();
                if (batch == null) {
                    return;
                }
                run(batch);
            }
        } finally {
            stopped.complete(null);
        }
    }

    /** The next batch, or null once closed and empty. */
    private List<Pending<J, R>> next() {
        lock.lock();
        try {
            while (true) {
                queue.removeIf(p -> p.result().isDone());
                if (queue.isEmpty()) {
                    if (closed) {
                        return null;
                    }
                    changed.awaitUninterruptibly();
                    continue;
                }
                Pending<J, R> first = queue.peekFirst();
                long deadline = first.arrivalNanos() + maxWaitNanos;
                long left = deadline - System.nanoTime();
                if (first.key() != null && !closed && left > 0 && compatible(first) < maxBatchSize) {
                    changed.awaitNanos(left);
                    continue;
                }
                List<Pending<J, R>> batch = new ArrayList<>();
                for (Iterator<Pending<J, R>> it = queue.iterator(); it.hasNext() && batch.size() < maxBatchSize; ) {
                    Pending<J, R> p = it.next();
                    if (p == first || (first.key() != null && Objects.equals(first.key(), p.key()))) {
                        batch.add(p);
                        it.remove();
                    }
                }
                metrics.queueLength(model, queue.size());
                return batch;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    private int compatible(Pending<J, R> first) {
        int n = 0;
        for (Pending<J, R> p : queue) {
            if (Objects.equals(first.key(), p.key())) {
                n++;
            }
        }
        return n;
    }

    private void run(List<Pending<J, R>> batch) {
        List<J> jobs = new ArrayList<>(batch.size());
        for (Pending<J, R> p : batch) {
            jobs.add(p.job());
        }
        try {
            List<R> results = function.apply(jobs);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (Exception | Error e) {
            for (Pending<J, R> p : batch) {
                p.result().completeExceptionally(e);
            }
        }
    }

    /** Refuses new requests, lets the worker finish those queued, and waits for it. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        stopped.join();
    }
}
