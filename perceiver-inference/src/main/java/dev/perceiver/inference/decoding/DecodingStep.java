package dev.perceiver.inference.decoding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.DecodingCache;
import dev.perceiver.model.adapter.RotarySupport;
import dev.perceiver.model.blocks.CrossAttention;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.blocks.KvCache;
import dev.perceiver.model.blocks.Mlp;
import dev.perceiver.model.blocks.MultiHeadAttention;
import dev.perceiver.model.blocks.Residual;
import dev.perceiver.model.blocks.SelfAttention;
import dev.perceiver.model.blocks.SelfAttentionBlock;
import dev.perceiver.model.blocks.SelfAttentionLayer;
import dev.perceiver.nn.Ops;
import dev.perceiver.nn.Tensors;
import java.util.List;

/**
 * The single-token decoding kernel of a {@link CausalSequenceModel}: one new token per sequence, ids (b, 1), with a
 * filled {@link DecodingCache} -> logits (b, 1, vocab_size). The same function as the model's cached forward
 * ({@link CausalSequenceModel#forwardLogits} with the cache, the reference path) with fewer operations:
 * <ul>
 * <li>each attention layer projects q, k and v in one product over the stacked weights of {@link InferenceWeights},
 * and rotates the query and key of all heads in one product ({@link SinglePositionRotation});</li>
 * <li>with float16, every linear layer of the attention layers multiplies with the float16 copies;</li>
 * <li>no causal mask: a single query sees every cached key.</li>
 * </ul>
 * It reads the model's modules through their accessors; the attention itself (kv cache, pad mask, softmax) is the
 * module's ({@link MultiHeadAttention#attendHeads}). Eval mode only (no dropout).
 */
final class DecodingStep {
    private DecodingStep() {}

    /**
     * @param ids the new token of each sequence, int64 (b, 1)
     * @param padMask boolean (b, cached + 1), true = padding, or null
     * @param cache a filled cache of this model; extended by the step
     * @param half whether the linear layers multiply with the float16 copies (the weights must have them)
     * @return logits (b, 1, vocab_size)
     */
    static NDArray logits(
            CausalSequenceModel model,
            InferenceWeights weights,
            NDArray ids,
            NDArray padMask,
            DecodingCache cache,
            boolean half) {
        NDManager m = ids.getManager();
        int b = (int) ids.getShape().get(0);
        if (ids.getShape().dimension() != 2 || ids.getShape().get(1) != 1) {
            throw new IllegalArgumentException("ids shape " + ids.getShape() + " must be (batch, 1)");
        }
        RotarySupport rotary = model.rotarySupport();
        NDArray h = rotary.forward(ids, Tensors.owned(m, cache.absolutePositions(1), new Shape(b, 1)));
        SinglePositionRotation rot =
                SinglePositionRotation.of(m, rotary.frqPosEncoding().angles(cache.rotaryPositions(1)));

        CrossAttentionLayer cross = model.crossAttention();
        CrossAttention ca = cross.crossAttention();
        InferenceWeights.LayerWeights cw = weights.crossAttention();
        NDArray a = attention(ca.attention(), cw, ca.qNorm().forward(h), padMask, rot, cache.crossAttention(), half);
        h = cross.attentionResidual() == null ? a : cross.attentionResidual().add(h, a);
        h = mlp(cross.mlp(), cw, h, half);

        SelfAttentionBlock block = model.selfAttention();
        List<SelfAttentionLayer> layers = block.layers();
        for (int i = 0; i < layers.size(); i++) {
            Residual<SelfAttention> sa = layers.get(i).selfAttention();
            InferenceWeights.LayerWeights lw = weights.selfAttention(i);
            NDArray y = attention(
                    sa.module().attention(),
                    lw,
                    sa.module().norm().forward(h),
                    null,
                    block.usesRotary(i) ? rot : null,
                    cache.selfAttention().get(i),
                    half);
            h = mlp(layers.get(i).mlp(), lw, sa.add(h, y), half);
        }
        cache.advance(1);
        if (model.outNorm() != null) {
            h = model.outNorm().forward(h);
        }
        return model.outputAdapter().forward(h);
    }

    /**
     * Self-attention of one position per sequence, x (b, 1, C) already normalised, to itself and the cached
     * positions: (b, 1, num_output_channels).
     */
    private static NDArray attention(
            MultiHeadAttention mha,
            InferenceWeights.LayerWeights w,
            NDArray x,
            NDArray padMask,
            SinglePositionRotation rot,
            KvCache cache,
            boolean half) {
        long b = x.getShape().get(0);
        long heads = mha.numHeads();
        long qk = mha.numQkChannels();
        long vc = mha.numVChannels();
        long dk = qk / heads;
        long dv = vc / heads;
        NDArray joint = (half ? w.qkvHalf().applyHalf(x) : w.qkv().apply(x)).reshape(b, 2 * qk + vc);
        NDArray qkRows = Ops.narrow(joint, 1, 0, 2 * qk).reshape(b, 2 * heads, dk);
        if (rot != null) {
            qkRows = rot.rotateRows(qkRows); // (b, 2h, dk)
        }
        NDArray q = Ops.narrow(qkRows, 1, 0, heads).mul(mha.dotProductScale()).reshape(b, heads, 1, dk);
        NDArray k = Ops.narrow(qkRows, 1, heads, 2 * heads).reshape(b, heads, 1, dk);
        NDArray v = Ops.narrow(joint, 1, 2 * qk, 2 * qk + vc).reshape(b, heads, 1, dv);
        NDArray o = mha.attendHeads(q, k, v, padMask, cache); // (b, 1, num_v_channels)
        return half ? w.outHalf().applyHalf(o) : mha.oProj().forward(o);
    }

    /** {@code x + mlp(x)} with the residual's MLP, in float16 with the prepared copies when {@code half}. */
    private static NDArray mlp(Residual<Mlp> residual, InferenceWeights.LayerWeights w, NDArray x, boolean half) {
        Mlp mlp = residual.module();
        NDArray h = mlp.norm().forward(x);
        NDArray y = half ? w.mlpHalf(h) : mlp.fc2().forward(Ops.gelu(mlp.fc1().forward(h)));
        return residual.add(x, y);
    }
}
