package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.blocks.Mlp;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.blocks.SelfAttentionLayer;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of one {@link CausalSequenceModel} prepared for its decoding steps ({@link DecodingStep}): for each
 * attention layer (the cross-attention layer, then each self-attention layer) the q, k and v projections stacked into
 * one (2 num_qk_channels + num_v_channels, C) matrix and bias, so that a step projects with one product; with
 * float16, also float16 copies of those and of o_proj and the MLP's two linear layers.
 *
 * <p>Why float16: a decoding step of batch 1 reads every weight once and does two floating-point operations per
 * weight, so its speed is bounded by memory bandwidth; half the bytes per weight is nearly half the time. The cost is
 * float16 rounding (about 5e-4 relative) of the weights and of each such layer's input and output; the README's
 * benchmark section gives the measured effect on logits and generated tokens. Only steps of at most
 * {@link #MAX_HALF_ROWS} sequences use the copies: a float16 product of many rows is slower than float32 on CPUs
 * without native float16 arithmetic.
 *
 * <p>Explicit inference state: made from the model's weights as they are when prepared (changing them afterwards is
 * not seen; prepare again), bound to that model (a generator refuses the weights of another), and immutable, so any
 * number of threads may decode with one instance at the same time. Its arrays live in a sub-manager of the model's
 * manager; {@link #close()} frees them (or the model's manager, when it closes).
 */
public final class InferenceWeights implements AutoCloseable {
    /** With float16 copies, steps of at most this many sequences use them. */
    public static final long MAX_HALF_ROWS = 16;

    private final CausalSequenceModel model;
    private final NDManager manager;
    private final boolean float16;
    private final LayerWeights crossAttention;
    private final List<LayerWeights> selfAttention;

    private InferenceWeights(CausalSequenceModel model, boolean float16) {
        this.model = model;
        this.float16 = float16;
        this.manager = model.manager().newSubManager();
        try {
            crossAttention = layer(
                    model.crossAttention().crossAttention().attention(),
                    model.crossAttention().mlp().module());
            List<LayerWeights> layers = new ArrayList<>();
            for (SelfAttentionLayer l : model.selfAttention().layers()) {
                layers.add(layer(l.selfAttention().module().attention(), l.mlp().module()));
            }
            selfAttention = List.copyOf(layers);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Prepares the weights of {@code model} as they are now.
     *
     * @param float16 whether to make the float16 copies too (for {@link GenerationConfig#float16Steps})
     */
    public static InferenceWeights prepare(CausalSequenceModel model, boolean float16) {
        return new InferenceWeights(model, float16);
    }

    private LayerWeights layer(MultiHeadAttention attention, Mlp mlp) {
        Linear[] qkv = {attention.qProj(), attention.kProj(), attention.vProj()};
        NDArray w = keep(Linear.stackedWeight(qkv));
        NDArray stackedBias = Linear.stackedBias(qkv);
        NDArray b = stackedBias == null ? null : keep(stackedBias);
        Projection stacked = new Projection(w, b);
        if (!float16) {
            return new LayerWeights(stacked, null, null, null, null);
        }
        return new LayerWeights(
                stacked,
                new Projection(half(w), b == null ? null : half(b)),
                halfCopy(attention.oProj()),
                halfCopy(mlp.fc1()),
                halfCopy(mlp.fc2()));
    }

    private Projection halfCopy(Linear linear) {
        return new Projection(
                half(linear.weight().array()),
                linear.bias() == null ? null : half(linear.bias().array()));
    }

    /** A float16 copy of {@code a}, kept by this object. */
    private NDArray half(NDArray a) {
        return keep(a.toType(DataType.FLOAT16, true));
    }

    /** Moves an array made inside the caller's NDScope (if any) to this object's manager. */
    private NDArray keep(NDArray a) {
        NDScope.unregister(a);
        a.attach(manager);
        return a;
    }

    /** The model these weights were prepared from. */
    public CausalSequenceModel model() {
        return model;
    }

    /** Whether the float16 copies were made. */
    public boolean hasFloat16() {
        return float16;
    }

    /** The cross-attention layer's weights. */
    LayerWeights crossAttention() {
        return crossAttention;
    }

    /** Self-attention layer {@code i}'s weights. */
    LayerWeights selfAttention(int i) {
        return selfAttention.get(i);
    }

    /** Frees the prepared arrays. */
    @Override
    public void close() {
        manager.close();
    }

    /** A weight (out, in) and optional bias (out) of one product. */
    record Projection(NDArray weight, NDArray bias) {
        /** {@code x W^T + b}: (..., in) -> (..., out), in the weights' data type. */
        NDArray apply(NDArray x) {
            return Linear.apply(x, weight, bias);
        }

        /** {@code x W^T + b} of float32 x with float16 weights, returned as float32. */
        NDArray applyHalf(NDArray x) {
            return apply(x.toType(DataType.FLOAT16, false)).toType(DataType.FLOAT32, false);
        }
    }

    /**
     * The prepared weights of one attention layer: the stacked q/k/v projection, and with float16 its float16 copy
     * and those of o_proj and the MLP's fc1 and fc2 (else null).
     */
    record LayerWeights(
            Projection qkv, Projection qkvHalf, Projection outHalf, Projection fc1Half, Projection fc2Half) {
        /** {@code fc2(gelu(fc1(x)))} with the float16 copies and a float16 intermediate: float32 in and out. */
        NDArray mlpHalf(NDArray x) {
            NDArray h = Ops.gelu(fc1Half.apply(x.toType(DataType.FLOAT16, false)));
            return fc2Half.apply(h).toType(DataType.FLOAT32, false);
        }
    }
}
