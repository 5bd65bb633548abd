package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.adapter.TrainableQueryProvider;
import dev.perceiver.model.blocks.AttentionLayerSpec;
import dev.perceiver.model.blocks.AttentionSpec;
import dev.perceiver.model.blocks.CrossAttentionLayer;
import dev.perceiver.model.position.FourierFeatures;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The multimodal decoder (transformers' {@code PerceiverMultimodalDecoder}): each modality's queries, padded with its
 * trainable padding vector to the common query channels Q = max(query channels) + min_padding_size and concatenated
 * in the order audio, image, label, cross-attend to the latents in one shared cross-attention layer (no query
 * residual), then a linear layer maps them to output_num_channels F.
 *
 * <p>Queries: audio, Fourier features (1 dimension) of the chosen audio patch indices in [0, audio patches); image,
 * Fourier features (3 dimensions) of the chosen flat indices into the (T, H, W) = output_image_shape pixel grid, both
 * at positions {@code -1 + 2 * index / size}; label, one trainable query ({@code label_query}). Children
 * {@code label_query}, {@code cross_attn}, {@code final_layer}; parameters {@code padding.<modality>}.
 */
public final class MultimodalDecoder extends Module {
    private final MultimodalEncoderConfig encoder;
    private final MultimodalDecoderConfig config;
    private final TrainableQueryProvider labelQuery;
    private final Parameter padAudio;
    private final Parameter padImage;
    private final Parameter padLabel;
    private final CrossAttentionLayer crossAttn;
    private final Linear finalLayer;
    private final int numQueryChannels;

    /**
     * @param encoder the encoder config (audio length and bands, video resolution and bands)
     * @param numLatentChannels D of the latents the queries attend to
     */
    public MultimodalDecoder(
            NDManager manager, MultimodalEncoderConfig encoder, MultimodalDecoderConfig config, int numLatentChannels) {
        super(manager);
        this.encoder = encoder;
        this.config = config;
        double init = config.base().initScale();
        int audio = audioQueryChannels(encoder);
        int image = imageQueryChannels(encoder);
        numQueryChannels = numQueryChannels(encoder, config);
        labelQuery = child("label_query", new TrainableQueryProvider(manager, 1, config.labelQueryChannels(), init));
        padAudio = parameter("padding.audio", normal(init, 1, numQueryChannels - audio));
        padImage = parameter("padding.image", normal(init, 1, numQueryChannels - image));
        padLabel = parameter("padding.label", normal(init, 1, numQueryChannels - config.labelQueryChannels()));
        AttentionSpec attention = AttentionSpec.builder()
                .numHeads(config.base().numCrossAttentionHeads())
                .numQInputChannels(numQueryChannels)
                .numKvInputChannels(numLatentChannels)
                .numQkChannels(config.base().numCrossAttentionQkChannels())
                .numVChannels(config.base().numCrossAttentionVChannels())
                .dropout(config.base().dropout())
                .initScale(init)
                .build();
        crossAttn = child(
                "cross_attn",
                new CrossAttentionLayer(
                        manager,
                        AttentionLayerSpec.builder()
                                .attention(attention)
                                .wideningFactor(config.base().crossAttentionWideningFactor())
                                .attentionResidual(config.base().crossAttentionResidual())
                                .build()));
        finalLayer =
                child("final_layer", new Linear(manager, numQueryChannels, config.outputNumChannels(), true, init));
    }

    /** Query channels of audio: 1 * (2 * audio bands + 1). */
    static int audioQueryChannels(MultimodalEncoderConfig e) {
        return FourierFeatures.numChannels(1, e.audioNumFrequencyBands());
    }

    /** Query channels of video: 3 * (2 * image bands + 1). */
    static int imageQueryChannels(MultimodalEncoderConfig e) {
        return FourierFeatures.numChannels(3, e.imageNumFrequencyBands());
    }

    /** The common query channels Q: the largest modality's query channels + min_padding_size. */
    public static int numQueryChannels(MultimodalEncoderConfig e, MultimodalDecoderConfig d) {
        return Math.max(Math.max(audioQueryChannels(e), imageQueryChannels(e)), d.labelQueryChannels())
                + d.minPaddingSize();
    }

    /**
     * @param latents (b, N, D)
     * @param points the output points to decode
     * @return per modality (audio, image, label) the decoder output (b, n_m, F): n_audio and n_image points, 1 label
     */
    public Map<String, NDArray> forward(NDArray latents, OutputPoints points) {
        long b = latents.getShape().get(0);
        NDManager m = latents.getManager();
        NDArray audio = indices(m, points.audio(), encoder.audioPatches());
        NDArray image = indices(m, points.image(), product(config.outputImageShape()));
        NDArray audioQ = FourierFeatures.encode(
                FourierFeatures.indexed(audio, new int[] {encoder.audioPatches()}, "subsampled_output_points.audio"),
                new int[] {encoder.audioSamples()},
                encoder.audioNumFrequencyBands());
        NDArray imageQ = FourierFeatures.encode(
                FourierFeatures.indexed(image, config.outputImageShape(), "subsampled_output_points.image"),
                encoder.imageResolution(),
                encoder.imageNumFrequencyBands());
        NDArray labelQ = labelQuery.query(null).squeeze(0);
        NDArray query =
                NDArrays.concat(new NDList(pad(audioQ, padAudio), pad(imageQ, padImage), pad(labelQ, padLabel)), 0);
        query = query.expandDims(0).broadcast(new Shape(b, query.getShape().get(0), numQueryChannels));
        NDArray out = finalLayer.forward(crossAttn.forward(query, latents, null));
        long na = audioQ.getShape().get(0);
        long ni = imageQ.getShape().get(0);
        Map<String, NDArray> split = new LinkedHashMap<>();
        split.put("audio", out.get(":, :{}", na));
        split.put("image", out.get(":, {}:{}", na, na + ni));
        split.put("label", out.get(":, {}:", na + ni));
        return split;
    }

    /** The given indices, or all of [0, total) when none are given. */
    private static NDArray indices(NDManager m, NDArray given, long total) {
        return given != null ? given : m.arange(0, total, 1, DataType.INT64);
    }

    /** Queries (n, q) padded with the (1, Q - q) padding vector to (n, Q). */
    private static NDArray pad(NDArray q, Parameter padding) {
        long n = q.getShape().get(0);
        return q.concat(padding.array().broadcast(new Shape(n, padding.shape().get(1))), 1);
    }

    private static long product(int[] dims) {
        long p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }

    /** Common query channels Q. */
    public int numQueryChannels() {
        return numQueryChannels;
    }
}
