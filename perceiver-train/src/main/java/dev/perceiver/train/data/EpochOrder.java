package dev.perceiver.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic example order per epoch: a permutation drawn with a {@link Random} seeded from
 * {@code (seed, epoch)}, so the same seed and epoch always give the same order and different epochs differ.
 */
public final class EpochOrder {
    private EpochOrder() {}

    /** A {@link Random} derived from {@code seed} and {@code epoch} (and a {@code stream} to separate uses). */
    public static Random random(long seed, int epoch, int stream) {
        long h = mix(seed);
        h = mix(h ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
        h = mix(h ^ (0xC2B2AE3D27D4EB4FL * (stream + 1L)));
        return new Random(h);
    }

    /**
     * Indices {@code 0..n-1}, shuffled when {@code shuffle} is true.
     *
     * @return array of shape {@code (n)}
     */
    public static int[] order(int n, boolean shuffle, long seed, int epoch) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        if (shuffle) {
            Collections.shuffle(idx, random(seed, epoch, 0));
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx.get(i);
        }
        return out;
    }

    /**
     * Splits an order into consecutive batches of {@code batchSize}; the last batch is smaller when
     * {@code order.length} is not a multiple of it, and dropped if {@code dropLast}.
     */
    public static List<int[]> batches(int[] order, int batchSize, boolean dropLast) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            if (end - start < batchSize && dropLast) {
                break;
            }
            int[] b = new int[end - start];
            System.arraycopy(order, start, b, 0, b.length);
            out.add(b);
        }
        return out;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
