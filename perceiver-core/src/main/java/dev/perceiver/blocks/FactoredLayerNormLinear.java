package dev.perceiver.blocks;

import ai.djl.ndarray.NDArray;
import dev.perceiver.adapter.FactoredInput;
import dev.perceiver.nn.LayerNorm;
import dev.perceiver.nn.Linear;

/**
 * {@code linear(layer_norm(x))} for an input given as {@link FactoredInput} x = [p (b, M, C1), e (M, C2)], without
 * forming x or multiplying the shared part once per example. With g, beta the norm's scale and shift and W = [W_p,
 * W_e] the linear weight:
 *
 * <pre>
 * mu, rstd      = mean and 1/sqrt(var + eps) of [p, e] per position   (from sums of p, p^2, e, e^2)
 * linear(ln(x)) = rstd * ((p*g_p) W_p^T + (e*g_e) W_e^T - mu * (W g)) + (W beta + bias)
 * </pre>
 *
 * The term {@code (e*g_e) W_e^T} costs M*C2*F once instead of b*M*C2*F. The result equals the unfactored
 * computation up to float rounding. Statistics are computed once and shared by several projections (keys and
 * values).
 */
public final class FactoredLayerNormLinear {
    private final NDArray p;
    private final NDArray e;
    private final NDArray gP;
    private final NDArray gE;
    private final NDArray beta;
    private final NDArray g;
    private final NDArray mu;
    private final NDArray std;
    private final long c1;

    /** Computes the per-position statistics of the normalised input. */
    public FactoredLayerNormLinear(FactoredInput input, LayerNorm norm) {
        this.p = input.perExample();
        this.e = input.shared();
        this.c1 = p.getShape().get(2);
        long c = input.numChannels();
        long m = e.getShape().get(0);
        g = norm.weight().array();
        beta = norm.bias().array();
        gP = g.get(":" + c1);
        gE = g.get(c1 + ":");
        NDArray sum = p.sum(new int[] {2}, true).add(e.sum(new int[] {1}).reshape(1, m, 1));
        NDArray sumSq = p.square().sum(new int[] {2}, true).add(e.square().sum(new int[] {1}).reshape(1, m, 1));
        mu = sum.div(c);
        NDArray var = sumSq.div(c).sub(mu.square()).maximum(0f);
        std = var.add(norm.eps()).sqrt();
    }

    /** {@code linear(layer_norm([p, e]))}: (b, M, F). */
    public NDArray apply(Linear linear) {
        return apply(linear.weight().array(), linear.bias() == null ? null : linear.bias().array());
    }

    /** {@code layer_norm([p, e]) W^T + bias} for a weight (F, C) and optional bias (F): (b, M, F). */
    public NDArray apply(NDArray w, NDArray bias) {
        NDArray wP = w.get(":, :" + c1);
        NDArray wE = w.get(":, " + c1 + ":");
        NDArray perExample = Linear.apply(p.mul(gP), wP, null);             // (b, M, F)
        NDArray shared = linearNoBias(e.mul(gE), wE);                       // (M, F)
        NDArray wg = linearNoBias(g.reshape(1, -1), w);                     // (1, F)
        NDArray constant = beta.reshape(1, -1).getNDArrayInternal()
                .linear(beta.reshape(1, -1), w, bias).singletonOrThrow();   // (1, F)
        return perExample.add(shared).sub(mu.mul(wg)).div(std).add(constant);
    }

    private static NDArray linearNoBias(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }
}
