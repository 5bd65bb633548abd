package dev.perceiver.model.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.perceiver.nn.Checks;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Ops;
import dev.perceiver.nn.Parameter;

/**
 * Encodes positions as angles for rotary embeddings: {@code inv_freq[i] = 10000^(-2i/dim)}, i = 0..ceil(dim/2)-1,
 * and each angle {@code p * inv_freq[i]} repeated twice (interleaved). Derived buffer {@code inv_freq} (a checkpoint
 * may omit it).
 */
public final class FrequencyPositionEncoding extends Module {
    private final Parameter invFreq;

    public FrequencyPositionEncoding(NDManager manager, int dim) {
        super(manager);
        Checks.positive("rotated_channels_per_head", dim);
        invFreq = derivedBuffer("inv_freq", compute(m -> {
            NDArray exponents = m.arange(0, dim, 2, DataType.INT64)
                    .toType(DataType.FLOAT32, false)
                    .div(dim);
            return Ops.scalar(m, 1f).div(Ops.scalar(m, 10000f).pow(exponents));
        }));
    }

    /** int64 positions (b, n) -> float32 angles (b, n, 2 * len(inv_freq)). */
    public NDArray forward(NDArray absPos) {
        NDArray enc = absPos.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq.array());
        NDArray stacked = NDArrays.stack(new ai.djl.ndarray.NDList(enc, enc), -1);
        long[] s = enc.getShape().getShape();
        return stacked.reshape(s[0], s[1], s[2] * 2);
    }

    /**
     * The angles of one position per sequence, computed in Java (no tensor operations), in the layout of
     * {@link #forward}: (b, 2 * len(inv_freq)). Positions below {@value #FLOAT32_ANGLE_LIMIT} get the float32
     * product {@code p * inv_freq} exactly as {@link #forward} (and the reference) compute it. Larger positions,
     * which only a decoding cache's running position frame reaches, get the product in double precision, so that
     * the angle error does not grow with the position.
     *
     * @param positions one position per sequence, >= 0
     */
    public double[][] angles(long[] positions) {
        float[] f = invFreq.array().toFloatArray();
        double[][] out = new double[positions.length][2 * f.length];
        for (int r = 0; r < positions.length; r++) {
            long p = positions[r];
            if (p < 0) {
                throw new IllegalArgumentException("position (" + p + ") must be >= 0");
            }
            for (int i = 0; i < f.length; i++) {
                double a = p < FLOAT32_ANGLE_LIMIT ? (double) ((float) p * f[i]) : p * (double) f[i];
                out[r][2 * i] = a;
                out[r][2 * i + 1] = a;
            }
        }
        return out;
    }

    /** Positions below this limit get float32 angles in {@link #angles}. */
    public static final long FLOAT32_ANGLE_LIMIT = 4096;

    /** Number of encoding channels produced per position. */
    public long numChannels() {
        return invFreq.shape().get(0) * 2;
    }
}
