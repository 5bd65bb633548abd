package dev.perceiver.inference.decoding;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses the next token from a row of logits (vocab_size): greedy (the first index of the largest logit, as
 * torch.argmax) or sampling. Sampling applies, in this order, the temperature (logits / T), top-k (tokens whose logit
 * is below the k-th largest are removed; ties with it stay) and top-p (tokens are removed from the least probable
 * upwards while the removed probability mass stays <= 1 - p; the most probable token always stays), then draws from
 * the softmax of what remains with a random generator seeded once per generation call. The same seed and logits give
 * the same tokens on every platform.
 */
public final class TokenSelector {
    private final boolean doSample;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final SplittableRandom random;

    /** A selector for one generation call. */
    public TokenSelector(GenerationConfig config) {
        this.doSample = config.doSample();
        this.temperature = config.temperature();
        this.topK = config.topK();
        this.topP = config.topP();
        this.random = new SplittableRandom(config.seed());
    }

    /** The chosen token id of one row of logits (vocab_size). */
    public int select(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits must not be empty");
        }
        return doSample ? sample(logits) : argmax(logits);
    }

    /** Index of the first largest value; NaN counts as largest (as torch.argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (Float.isNaN(logits[best])) {
                break;
            }
            if (logits[i] > logits[best] || Float.isNaN(logits[i])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Probabilities after temperature, top-k and top-p (removed tokens have probability 0), summing to 1.
     * Visible for tests.
     */
    public double[] filteredProbabilities(float[] logits) {
        int v = logits.length;
        double[] scores = new double[v];
        for (int i = 0; i < v; i++) {
            scores[i] = logits[i] / temperature;
        }
        if (topK > 0 && topK < v) {
            double[] sorted = scores.clone();
            Arrays.sort(sorted);
            double kth = sorted[v - topK];
            for (int i = 0; i < v; i++) {
                if (scores[i] < kth) {
                    scores[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double[] probs = softmax(scores);
        if (topP < 1.0) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            // ascending by probability; ties broken by index so the result does not depend on the sort
            Arrays.sort(
                    order, (a, b) -> probs[a] != probs[b] ? Double.compare(probs[a], probs[b]) : Integer.compare(b, a));
            double cumulative = 0;
            for (int j = 0; j < v - 1; j++) {
                cumulative += probs[order[j]];
                if (cumulative <= 1.0 - topP) {
                    scores[order[j]] = Double.NEGATIVE_INFINITY;
                } else {
                    break;
                }
            }
            return softmax(scores);
        }
        return probs;
    }

    private int sample(float[] logits) {
        double[] probs = filteredProbabilities(logits);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("logits contain no finite value to sample from");
        }
        return last; // rounding: u at the very top of the distribution
    }

    private static double[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] out = new double[scores.length];
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            return out;
        }
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            out[i] = scores[i] == Double.NEGATIVE_INFINITY ? 0.0 : Math.exp(scores[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }
}
