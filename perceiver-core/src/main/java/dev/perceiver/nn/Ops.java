package dev.perceiver.nn;

import ai.djl.ndarray.NDArray;

/** Stateless tensor functions used by the building blocks. */
public final class Ops {
    private Ops() {
    }

    /** Exact (erf) GELU, as torch.nn.GELU(). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** Inverted dropout with probability {@code p}, active only when {@code training}. */
    public static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p <= 0.0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow();
    }
}
