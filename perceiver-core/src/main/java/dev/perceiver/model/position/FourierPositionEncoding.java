package dev.perceiver.model.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Fourier features of a d-dimensional grid of shape {@code input_shape}: coordinates in [-1, 1] per dimension,
 * then {@code sin(pi f p)} and {@code cos(pi f p)} for {@code num_frequency_bands} frequencies f evenly spaced in
 * [1, max_resolution/2] ({@code max_resolution} is the grid's own size unless given, as in transformers'
 * {@code PerceiverFourierPositionEncoding}, whose conv preprocessor encodes a 55 x 55 grid with the frequencies of
 * 56 x 56). Derived buffer {@code position_encoding} (a checkpoint may omit it) of shape
 * (prod(input_shape), d * (2 * num_frequency_bands + 1)), channel order: positions, sines of every dimension, cosines
 * of every dimension.
 */
public final class FourierPositionEncoding extends Module {
    private final Parameter positionEncoding;
    private final int[] inputShape;
    private final int numFrequencyBands;

    public FourierPositionEncoding(NDManager manager, int[] inputShape, int numFrequencyBands) {
        this(manager, inputShape, numFrequencyBands, inputShape);
    }

    /** @param maxResolution the sizes that set the highest frequency per dimension, one per grid dimension */
    public FourierPositionEncoding(NDManager manager, int[] inputShape, int numFrequencyBands, int[] maxResolution) {
        super(manager);
        check(inputShape, numFrequencyBands, maxResolution);
        this.inputShape = inputShape.clone();
        this.numFrequencyBands = numFrequencyBands;
        positionEncoding = derivedBuffer(
                "position_encoding", compute(m -> encode(m, inputShape, numFrequencyBands, maxResolution)));
    }

    private static void check(int[] inputShape, int numFrequencyBands, int[] maxResolution) {
        Checks.require(inputShape.length > 0, "input_shape must have at least one dimension");
        for (int s : inputShape) {
            Checks.positive("input_shape dimension", s);
        }
        Checks.require(
                maxResolution.length == inputShape.length,
                "max_resolution " + java.util.Arrays.toString(maxResolution)
                        + " must have one size per grid dimension (" + inputShape.length + ")");
        for (int s : maxResolution) {
            Checks.positive("max_resolution dimension", s);
        }
        Checks.positive("num_frequency_bands", numFrequencyBands);
    }

    /**
     * The encoding of a grid, computed in {@code m}: (prod(grid_shape), d * (2 * num_frequency_bands + 1)) float32.
     *
     * @param maxResolution sizes that set the highest frequency (size / 2) per dimension
     */
    public static NDArray encode(NDManager m, int[] gridShape, int numFrequencyBands, int[] maxResolution) {
        check(gridShape, numFrequencyBands, maxResolution);
        int d = gridShape.length;
        long total = 1;
        for (int s : gridShape) {
            total *= s;
        }
        // coordinates per dimension, broadcast over the grid in row-major (meshgrid "ij") order
        List<NDArray> coords = new ArrayList<>();
        long[] full = new long[d];
        for (int j = 0; j < d; j++) {
            full[j] = gridShape[j];
        }
        for (int i = 0; i < d; i++) {
            NDArray c = m.linspace(-1f, 1f, gridShape[i]);
            long[] shape = new long[d];
            java.util.Arrays.fill(shape, 1);
            shape[i] = gridShape[i];
            coords.add(c.reshape(shape).broadcast(new Shape(full)).reshape(total, 1));
        }
        List<NDArray> sines = new ArrayList<>();
        List<NDArray> cosines = new ArrayList<>();
        for (int i = 0; i < d; i++) {
            NDArray freqs =
                    m.linspace(1f, maxResolution[i] / 2f, numFrequencyBands).reshape(1, numFrequencyBands);
            NDArray grid = coords.get(i).mul(freqs).mul((float) Math.PI);
            sines.add(grid.sin());
            cosines.add(grid.cos());
        }
        NDList all = new NDList();
        coords.forEach(all::add);
        sines.forEach(all::add);
        cosines.forEach(all::add);
        return NDArrays.concat(all, 1);
    }

    /** Number of channels of the encoding: d * (2 * num_frequency_bands + 1). */
    public int numPositionEncodingChannels() {
        return numChannels(inputShape.length, numFrequencyBands);
    }

    /** Channels of the encoding of a {@code dims}-dimensional grid: dims * (2 * num_frequency_bands + 1). */
    public static int numChannels(int dims, int numFrequencyBands) {
        return dims * (2 * numFrequencyBands + 1);
    }

    /** The encoding of one example: (prod(input_shape), channels). */
    public NDArray encoding() {
        return positionEncoding.array();
    }
}
