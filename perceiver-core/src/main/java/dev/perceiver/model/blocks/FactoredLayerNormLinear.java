package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.perceiver.model.adapter.FactoredInput;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Ops;

/**
 * {@code linear(layer_norm(x))} for an input given as {@link FactoredInput} x = [p (b, M, C1), e (M, C2)], without
 * multiplying the shared part once per example. With g, beta the norm's scale and shift and W = [W_p, W_e] the
 * linear weight:
 *
 * <pre>
 * mu, r         = mean and 1/sqrt(var + eps) of [p, e] per position   (from sums of p, p^2, e, e^2)
 * linear(ln(x)) = r * (p (W_p * g_p)^T + (e * g_e) W_e^T - mu (W g)) + (W beta + bias)
 * </pre>
 *
 * {@link Stats#fold} gives these folded weights, which {@link MultiHeadAttention#forwardFactored} uses to attend
 * without forming the projection. The term {@code (e * g_e) W_e^T} costs M*C2*F once
 * instead of b*M*C2*F. Results equal the unfactored computation up to float rounding.
 */
public final class FactoredLayerNormLinear {
    private FactoredLayerNormLinear() {}

    /** Per-position statistics of {@code layer_norm(x)} for a factored input. */
    public static Stats stats(FactoredInput input, LayerNorm norm) {
        return new Stats(input, norm);
    }

    /**
     * Folded weights of one linear layer after the norm.
     *
     * @param perExample W_p * g_p: (F, C1)
     * @param shared (e * g_e) W_e^T: (M, F)
     * @param normWeight W g: (F)
     * @param constant W beta + bias: (F)
     */
    public record Folded(NDArray perExample, NDArray shared, NDArray normWeight, NDArray constant) {}

    /** Statistics mu and 1/std per position (b, M, 1) of the normalised factored input. */
    public static final class Stats {
        private final NDArray p;
        private final NDArray e;
        private final NDArray g;
        private final NDArray beta;
        private final NDArray mu;
        private final NDArray r;
        private final long c1;

        private Stats(FactoredInput input, LayerNorm norm) {
            p = input.perExample();
            e = input.shared();
            c1 = p.getShape().get(2);
            long c = input.numChannels();
            long m = e.getShape().get(0);
            g = norm.weight().array();
            beta = norm.bias().array();
            NDArray sum = p.sum(new int[] {2}, true).add(e.sum(new int[] {1}).reshape(1, m, 1));
            NDArray sumSq = p.square()
                    .sum(new int[] {2}, true)
                    .add(e.square().sum(new int[] {1}).reshape(1, m, 1));
            // scalars as owned arrays: autograd keeps them for the backward pass (see Ops.scalar)
            mu = Ops.div(sum, c);
            NDArray var = NDArrays.maximum(Ops.div(sumSq, c).sub(mu.square()), Ops.scalar(p.getManager(), 0f));
            r = Ops.scalar(p.getManager(), 1f)
                    .div(var.add(Ops.scalar(p.getManager(), norm.eps())).sqrt());
        }

        /** Number of positions M. */
        public long numPositions() {
            return e.getShape().get(0);
        }

        /** Per-example channels p (b, M, C1). */
        public NDArray perExample() {
            return p;
        }

        /** Mean per position (b, M, 1). */
        public NDArray mean() {
            return mu;
        }

        /** 1 / sqrt(var + eps) per position (b, M, 1). */
        public NDArray reciprocalStd() {
            return r;
        }

        /** The folded weights of {@code linear} applied after the norm. */
        public Folded fold(Linear linear) {
            NDArray w = linear.weight().array();
            NDArray bias = linear.bias() == null ? null : linear.bias().array();
            NDArray wP = w.get(":, :" + c1).mul(g.get(":" + c1).reshape(1, -1)); // (F, C1)
            NDArray shared = Linear.apply(e.mul(g.get(c1 + ":")), w.get(":, " + c1 + ":"), null); // (M, F)
            NDArray wg = Linear.apply(g.reshape(1, -1), w, null).reshape(-1); // (F)
            NDArray constant = Linear.apply(beta.reshape(1, -1), w, bias).reshape(-1); // (F)
            return new Folded(wP, shared, wg, constant);
        }
    }
}
