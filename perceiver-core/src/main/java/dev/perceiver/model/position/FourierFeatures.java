package dev.perceiver.model.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Tensors;

/**
 * Fourier features of arbitrary points in [-1, 1]^d whose frequencies come from a separate maximum resolution (unlike
 * {@link FourierPositionEncoding}, whose grid is its resolution): for dimension i, {@code num_bands} frequencies f
 * evenly spaced in [1, max_resolution[i] / 2]; the features are the positions, then {@code sin(pi f p)} of every
 * dimension, then {@code cos(pi f p)} of every dimension: (n, d) -> (n, d * (2 * num_bands + 1)). Also the two ways
 * points are made: a grid with {@code linspace(-1, 1)} per dimension, and flat indices of a grid mapped to
 * {@code -1 + 2 * index / size} per dimension.
 */
public final class FourierFeatures {
    private FourierFeatures() {}

    /** Channels of the features of d-dimensional points: d * (2 * num_bands + 1). */
    public static int numChannels(int dims, int numBands) {
        return dims * (2 * numBands + 1);
    }

    /**
     * @param positions float32 points (n, d)
     * @param maxResolution d sizes that set the frequencies
     * @return float32 features (n, d * (2 * num_bands + 1))
     */
    public static NDArray encode(NDArray positions, int[] maxResolution, int numBands) {
        Checks.positive("num_bands", numBands);
        Shape s = positions.getShape();
        int d = maxResolution.length;
        if (s.dimension() != 2 || s.get(1) != d) {
            throw new IllegalArgumentException(
                    "positions shape " + s + " must be (n, " + d + ") for max_resolution of " + d + " dimensions");
        }
        NDManager m = positions.getManager();
        NDList freqs = new NDList();
        for (int r : maxResolution) {
            Checks.positive("max_resolution dimension", r);
            freqs.add(m.linspace(1f, r / 2f, numBands).reshape(1, numBands));
        }
        NDArray bands = NDArrays.concat(freqs, 0).expandDims(0); // (1, d, K)
        NDArray scaled = positions.expandDims(2).mul(bands).reshape(s.get(0), (long) d * numBands);
        NDArray phase = scaled.mul((float) Math.PI);
        return NDArrays.concat(new NDList(positions, phase.sin(), phase.cos()), 1);
    }

    /** Points of a grid of {@code dims}, row-major: linspace(-1, 1, dims[i]) per dimension -> (prod(dims), d). */
    public static NDArray grid(NDManager m, int[] dims) {
        int d = dims.length;
        long total = 1;
        for (int s : dims) {
            Checks.positive("grid dimension", s);
            total *= s;
        }
        long[] full = new long[d];
        for (int i = 0; i < d; i++) {
            full[i] = dims[i];
        }
        NDList coords = new NDList();
        for (int i = 0; i < d; i++) {
            long[] shape = new long[d];
            java.util.Arrays.fill(shape, 1);
            shape[i] = dims[i];
            coords.add(m.linspace(-1f, 1f, dims[i])
                    .reshape(shape)
                    .broadcast(new Shape(full))
                    .reshape(total, 1));
        }
        return NDArrays.concat(coords, 1);
    }

    /**
     * Points of the given flat (row-major) indices into a grid of {@code dims}: {@code -1 + 2 * index_i / dims[i]} per
     * dimension (not the grid's linspace).
     *
     * @param indices int64 (n), each in [0, prod(dims))
     * @param name the argument's name, for the error of an index out of range
     * @return float32 (n, d)
     */
    public static NDArray indexed(NDArray indices, int[] dims, String name) {
        long total = 1;
        for (int s : dims) {
            total *= s;
        }
        if (indices.getShape().dimension() != 1) {
            throw new IllegalArgumentException(name + " shape " + indices.getShape() + " must be (n): flat indices");
        }
        long[] idx = indices.toType(DataType.INT64, false).toLongArray();
        int d = dims.length;
        float[] points = new float[idx.length * d];
        for (int n = 0; n < idx.length; n++) {
            if (idx[n] < 0 || idx[n] >= total) {
                throw new IllegalArgumentException(name + " holds index " + idx[n] + "; valid: [0, " + (total - 1)
                        + "] (the flattened grid " + java.util.Arrays.toString(dims) + ")");
            }
            long rest = idx[n];
            for (int i = d - 1; i >= 0; i--) {
                long c = rest % dims[i];
                rest /= dims[i];
                // float32 as transformers computes it: -1 + (2 * index) / size
                points[n * d + i] = -1f + (float) (2 * c) / (float) dims[i];
            }
        }
        return Tensors.owned(indices.getManager(), points, new Shape(idx.length, d));
    }
}
