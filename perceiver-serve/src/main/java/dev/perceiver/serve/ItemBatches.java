package dev.perceiver.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Dynamic batching of requests that each carry several items (texts, images) and a {@code top_k}: requests with equal
 * {@code top_k} share one pipeline call on all their items, whose results are split back per request.
 */
final class ItemBatches {
    /** A request: its items and {@code top_k}. */
    record Job<T>(List<T> items, int topK) {}

    /** A pipeline call on the items of a batch with its {@code top_k}: one result per item, in order. */
    @FunctionalInterface
    interface Call<T, R> {
        List<R> apply(List<T> items, int topK) throws Exception;
    }

    private ItemBatches() {}

    /** A batcher of model {@code id} whose batches run {@code call} once on all their items. */
    static <T, R> Batcher<Job<T>, List<R>> batcher(
            String id, ServeOptions options, Call<T, R> call, Executor worker, ServerMetrics metrics) {
        return new Batcher<>(
                id,
                options,
                Job::topK,
                jobs -> {
                    List<T> all = new ArrayList<>();
                    jobs.forEach(j -> all.addAll(j.items()));
                    List<R> results = call.apply(all, jobs.get(0).topK());
                    metrics.batch(id, jobs.size(), 0, 0);
                    return split(jobs, results);
                },
                worker,
                metrics);
    }

    /** The flat results of all jobs' items, split back into one list per job. */
    private static <T, R> List<List<R>> split(List<Job<T>> jobs, List<R> flat) {
        List<List<R>> out = new ArrayList<>();
        int at = 0;
        for (Job<T> j : jobs) {
            int n = j.items().size();
            out.add(new ArrayList<>(flat.subList(at, at + n)));
            at += n;
        }
        return out;
    }
}
