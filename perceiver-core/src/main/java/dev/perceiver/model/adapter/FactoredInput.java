package dev.perceiver.model.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * An adapted encoder input (b, M, C) given in two parts along the channel axis: channels that depend on the example,
 * {@code perExample} (b, M, C1), followed by channels that are the same for every example, {@code shared} (M, C2),
 * such as a fixed position encoding. Cross-attention uses the split to compute its key/value projections of the
 * shared part once per batch instead of once per example; {@link #materialize()} gives the plain (b, M, C) array.
 *
 * @param perExample (b, M, C1)
 * @param shared (M, C2)
 */
public record FactoredInput(NDArray perExample, NDArray shared) {
    /** The full input (b, M, C1 + C2). */
    public NDArray materialize() {
        long b = perExample.getShape().get(0);
        NDArray s = shared.expandDims(0)
                .broadcast(
                        new Shape(b, shared.getShape().get(0), shared.getShape().get(1)));
        return perExample.concat(s, 2);
    }

    /** Number of channels C = C1 + C2. */
    public long numChannels() {
        return perExample.getShape().get(2) + shared.getShape().get(1);
    }
}
