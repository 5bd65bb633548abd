package dev.perceiver.tasks.huggingface;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImagePreprocessing;

/**
 * Hugging Face {@code transformers}' {@code PerceiverConfig} (a whole {@code config.json} with
 * {@code model_type: "perceiver"}) as the reference's {@code model_config} of the same model, per architecture. The
 * fields are read with {@code PerceiverConfig}'s defaults; the architecture fixes what {@code transformers} hard-codes
 * (decoder heads and channels, Fourier bands, patch sizes). Settings that would compute something our models do not
 * ({@code hidden_act} other than {@code gelu}, {@code use_query_residual: false},
 * {@code cross_attention_shape_for_attention} other than {@code kv} / {@code q}, self-attention value channels other
 * than {@code d_latents}) are refused with an error naming the field; generic fields ({@code id2label},
 * {@code torch_dtype}, ...) are ignored.
 */
final class PerceiverConfigs {
    /** Fourier frequency bands of {@code transformers}' image and flow preprocessors (hard-coded there). */
    static final int NUM_BANDS = 64;
    /** Image size of {@code PerceiverForImageClassificationFourier}'s Fourier features (hard-coded there). */
    static final int FOURIER_IMAGE_SIZE = 224;
    /** Channels of a 3x3 patch of RGB pixels, per frame, of {@code PerceiverForOpticalFlow}. */
    static final int FLOW_PATCH_CHANNELS = 27;
    /** Channels of {@code PerceiverForOpticalFlow}'s {@code conv_after_patches} output (hard-coded there). */
    static final int FLOW_HIDDEN_CHANNELS = 64;
    /** {@code PerceiverForOpticalFlow}'s rescale factor (hard-coded there). */
    static final double FLOW_RESCALE_FACTOR = 100.0;
    /** Channels of {@code PerceiverForImageClassificationLearned}'s 1 x 1 convolution and position embedding. */
    static final int LEARNED_CHANNELS = 256;
    /** Channels of {@code PerceiverForImageClassificationConvProcessing}'s conv stem (hard-coded there). */
    static final int CONV_CHANNELS = 64;
    /** Fourier max resolution of {@code PerceiverForImageClassificationConvProcessing} (hard-coded there). */
    static final int CONV_MAX_RESOLUTION = 56;
    /** {@code PerceiverForMaskedLM}'s decoder: 8 heads of 32 query/key channels (hard-coded there). */
    static final int MLM_DECODER_HEADS = 8;

    private PerceiverConfigs() {}

    /** {@code PerceiverForMaskedLM}: text encoder, decoder queries of d_model channels, logits tied to the input. */
    static ObjectNode maskedLanguageModel(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        ObjectNode encoder = textEncoder(f, model);
        ObjectNode decoder = decoder(f, model, "decoder");
        decoder.put("num_cross_attention_heads", MLM_DECODER_HEADS);
        decoder.put("num_cross_attention_qk_channels", MLM_DECODER_HEADS * 32);
        decoder.put("num_cross_attention_v_channels", f.dModel);
        decoder.put("cross_attention_residual", false);
        decoder.put("vocab_size", f.vocabSize);
        decoder.put("max_seq_len", f.maxPositionEmbeddings);
        decoder.putNull("num_output_query_channels");
        encoder.put("vocab_size", f.vocabSize);
        return model;
    }

    /** {@code PerceiverForSequenceClassification}: text encoder, one trainable query of d_latents channels. */
    static ObjectNode textClassifier(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        textEncoder(f, model).put("vocab_size", f.vocabSize);
        classificationDecoder(f, model);
        return model;
    }

    /**
     * {@code PerceiverForImageClassificationFourier}: pixels of a 224x224 RGB image with Fourier features of 64 bands
     * (channels-last here, channels-first in {@code transformers}), one trainable query of d_latents channels.
     */
    static ObjectNode imageClassifierFourier(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        fourierImageEncoder(f, model);
        classificationDecoder(f, model);
        return model;
    }

    /** The encoder of 224 x 224 RGB images with Fourier features of 64 bands (the Fourier and conv models'). */
    private static ObjectNode fourierImageEncoder(Fields f, ObjectNode model) {
        ObjectNode encoder = encoder(f, model);
        encoder.putArray("image_shape")
                .add(FOURIER_IMAGE_SIZE)
                .add(FOURIER_IMAGE_SIZE)
                .add(3);
        encoder.put("num_frequency_bands", NUM_BANDS);
        return encoder;
    }

    /**
     * {@code PerceiverForImageClassificationLearned}: a 1 x 1 convolution of {@code image_size} x {@code image_size}
     * RGB pixels to 256 channels, concatenated with a learned position embedding of 256 channels projected by a linear
     * layer; one trainable query of d_latents channels.
     */
    static ObjectNode imageClassifierLearned(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        ObjectNode encoder = encoder(f, model);
        encoder.putArray("image_shape").add(f.imageSize).add(f.imageSize).add(3);
        encoder.put("prep_type", ImagePreprocessing.CONV1X1);
        encoder.put("num_prep_channels", LEARNED_CHANNELS);
        encoder.put("num_position_channels", LEARNED_CHANNELS);
        classificationDecoder(f, model);
        return model;
    }

    /**
     * {@code PerceiverForImageClassificationConvProcessing}: the conv stem to 64 channels with Fourier features of 64
     * bands at resolution 56 x 56; one trainable query of d_latents channels. The model takes images of any size;
     * {@code image_shape} is the 224 x 224 its image processor produces.
     */
    static ObjectNode imageClassifierConv(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        ObjectNode encoder = fourierImageEncoder(f, model);
        encoder.put("prep_type", ImagePreprocessing.CONV);
        encoder.put("num_prep_channels", CONV_CHANNELS);
        encoder.putArray("max_resolution").add(CONV_MAX_RESOLUTION).add(CONV_MAX_RESOLUTION);
        classificationDecoder(f, model);
        return model;
    }

    /**
     * {@code PerceiverForOpticalFlow}: 3x3 patches of two RGB frames of {@code train_size}, projected to 64 channels,
     * with Fourier features of 64 bands; the decoder queries with the encoder input and rescales by 100.
     */
    static ObjectNode opticalFlow(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        ObjectNode encoder = encoder(f, model);
        encoder.putArray("image_shape").add(f.trainSize[0]).add(f.trainSize[1]);
        encoder.put("num_patch_input_channels", FLOW_PATCH_CHANNELS);
        encoder.put("num_patch_hidden_channels", FLOW_HIDDEN_CHANNELS);
        encoder.put("num_frequency_bands", NUM_BANDS);
        ObjectNode decoder = decoder(f, model, "decoder");
        decoder.putArray("image_shape").add(f.trainSize[0]).add(f.trainSize[1]);
        decoder.put("rescale_factor", FLOW_RESCALE_FACTOR);
        decoder.put("num_cross_attention_heads", 1);
        // transformers' default query/key channels of a decoder cross-attention (cross_attention_shape_for_attention)
        int queryChannels = FLOW_HIDDEN_CHANNELS + 2 * (2 * NUM_BANDS + 1);
        int qk = f.crossAttentionShape.equals("q") ? queryChannels : f.dLatents;
        decoder.put("num_cross_attention_qk_channels", qk);
        decoder.put("num_cross_attention_v_channels", qk);
        decoder.put("cross_attention_residual", false);
        return model;
    }

    /** Fourier frequency bands of {@code PerceiverForMultimodalAutoencoding}'s video features (hard-coded there). */
    static final int MULTIMODAL_IMAGE_BANDS = 32;
    /** Fourier frequency bands of {@code PerceiverForMultimodalAutoencoding}'s audio features (hard-coded there). */
    static final int MULTIMODAL_AUDIO_BANDS = 192;
    /** {@code PerceiverForMultimodalAutoencoding}'s video patches: 4x4 pixels of one frame (hard-coded there). */
    static final int MULTIMODAL_SPATIAL_DOWNSAMPLE = 4;
    /** Padding of the multimodal encoder input beyond the widest modality (hard-coded there). */
    static final int MULTIMODAL_INPUT_PADDING = 4;
    /** Padding of the multimodal decoder queries beyond the widest modality (transformers' default). */
    static final int MULTIMODAL_QUERY_PADDING = 2;

    /**
     * {@code PerceiverForMultimodalAutoencoding}: RGB video of {@code num_frames} x {@code image_size}^2 in 4x4 patches
     * with 32-band Fourier features, audio of {@code num_frames * audio_samples_per_frame} samples in patches of
     * {@code samples_per_patch} with 192-band features, and the label; the decoder queries the {@code output_shape}
     * (batch, T, H, W) pixel grid, audio patches and a label query of {@code _label_trainable_num_channels} channels,
     * one head, no query residual, outputs of {@code output_num_channels} channels (defaults 512 and 1024 for configs
     * saved before transformers 4.32, which lack them).
     */
    static ObjectNode multimodalAutoencoder(ObjectNode hf) {
        Fields f = new Fields(hf);
        ObjectNode model = model(f);
        ObjectNode encoder = encoder(f, model);
        int[] outputShape = ConfigJson.intArray(hf, "output_shape", new int[] {1, 16, 224, 224});
        if (outputShape.length != 4) {
            throw new IllegalArgumentException("output_shape " + java.util.Arrays.toString(outputShape)
                    + " must be (batch, frames, height, width)");
        }
        encoder.put("num_frames", ConfigJson.intField(hf, "num_frames", 16));
        encoder.put("image_size", ConfigJson.intField(hf, "image_size", 56));
        encoder.put("image_channels", 3);
        encoder.put("spatial_downsample", MULTIMODAL_SPATIAL_DOWNSAMPLE);
        encoder.put("temporal_downsample", 1);
        encoder.put("image_num_frequency_bands", MULTIMODAL_IMAGE_BANDS);
        encoder.put("audio_samples_per_frame", ConfigJson.intField(hf, "audio_samples_per_frame", 1920));
        encoder.put("samples_per_patch", ConfigJson.intField(hf, "samples_per_patch", 16));
        encoder.put("audio_num_frequency_bands", MULTIMODAL_AUDIO_BANDS);
        encoder.put("num_classes", f.numLabels);
        encoder.put("min_padding_size", MULTIMODAL_INPUT_PADDING);
        int labelChannels = ConfigJson.intField(hf, "_label_trainable_num_channels", 1024);
        ObjectNode decoder = decoder(f, model, "decoder");
        decoder.put("num_cross_attention_heads", 1);
        // transformers' default query/key channels of a decoder cross-attention (cross_attention_shape_for_attention)
        int queryChannels =
                Math.max(Math.max(2 * MULTIMODAL_AUDIO_BANDS + 1, 3 * (2 * MULTIMODAL_IMAGE_BANDS + 1)), labelChannels)
                        + MULTIMODAL_QUERY_PADDING;
        int qk = f.crossAttentionShape.equals("q") ? queryChannels : f.dLatents;
        decoder.put("num_cross_attention_qk_channels", qk);
        decoder.put("num_cross_attention_v_channels", qk);
        decoder.put("cross_attention_residual", false);
        decoder.putArray("output_image_shape")
                .add(outputShape[1])
                .add(outputShape[2])
                .add(outputShape[3]);
        decoder.put("output_num_channels", ConfigJson.intField(hf, "output_num_channels", 512));
        decoder.put("label_query_channels", labelChannels);
        decoder.put("min_padding_size", MULTIMODAL_QUERY_PADDING);
        return model;
    }

    private static ObjectNode model(Fields f) {
        ObjectNode model = ConfigJson.MAPPER.createObjectNode();
        model.put("num_latents", f.numLatents);
        model.put("num_latent_channels", f.dLatents);
        return model;
    }

    /** The generic encoder fields of {@code transformers}' PerceiverEncoder: one cross-attention, shared blocks. */
    private static ObjectNode encoder(Fields f, ObjectNode model) {
        ObjectNode e = model.putObject("encoder");
        e.put("num_cross_attention_heads", f.numCrossAttentionHeads);
        // cross-attention query/key channels default to the input's (kv, also the reference's default) or the latents'
        if (f.qkChannels != null) {
            e.put("num_cross_attention_qk_channels", f.qkChannels);
        } else if (f.crossAttentionShape.equals("q")) {
            e.put("num_cross_attention_qk_channels", f.dLatents);
        } else {
            e.putNull("num_cross_attention_qk_channels");
        }
        putNullable(e, "num_cross_attention_v_channels", f.vChannels);
        e.put("num_cross_attention_layers", 1);
        e.put("cross_attention_widening_factor", f.crossAttentionWideningFactor);
        e.put("num_self_attention_heads", f.numSelfAttentionHeads);
        putNullable(e, "num_self_attention_qk_channels", f.qkChannels);
        putNullable(e, "num_self_attention_v_channels", f.vChannels);
        e.put("num_self_attention_layers_per_block", f.numSelfAttendsPerBlock);
        e.put("num_self_attention_blocks", f.numBlocks);
        e.put("first_self_attention_block_shared", true);
        e.put("self_attention_widening_factor", f.selfAttentionWideningFactor);
        e.put("dropout", f.dropout);
        e.put("init_scale", f.initializerRange);
        return e;
    }

    private static ObjectNode textEncoder(Fields f, ObjectNode model) {
        ObjectNode e = encoder(f, model);
        e.put("max_seq_len", f.maxPositionEmbeddings);
        e.put("num_input_channels", f.dModel);
        return e;
    }

    private static ObjectNode decoder(Fields f, ObjectNode model, String name) {
        ObjectNode d = model.putObject(name);
        d.put("cross_attention_widening_factor", 1);
        d.put("dropout", f.dropout);
        d.put("init_scale", f.initializerRange);
        return d;
    }

    /** {@code PerceiverClassificationDecoder}: one head, query residual, channels as the cross-attention defaults. */
    private static void classificationDecoder(Fields f, ObjectNode model) {
        ObjectNode d = decoder(f, model, "decoder");
        d.put("num_cross_attention_heads", 1);
        d.put("cross_attention_residual", true);
        d.put("num_output_queries", 1);
        d.put("num_output_query_channels", f.dLatents);
        d.put("num_classes", f.numLabels);
        // query and key/value inputs both have d_latents channels: 'kv' and 'q' defaults agree
        d.putNull("num_cross_attention_qk_channels");
        d.putNull("num_cross_attention_v_channels");
    }

    private static void putNullable(ObjectNode o, String name, Integer value) {
        if (value == null) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    /** The fields of a {@code PerceiverConfig} that matter, with its defaults, checked. */
    private static final class Fields {
        final int numLatents;
        final int dLatents;
        final int dModel;
        final int numBlocks;
        final int numSelfAttendsPerBlock;
        final int numSelfAttentionHeads;
        final int numCrossAttentionHeads;
        final Integer qkChannels;
        final Integer vChannels;
        final String crossAttentionShape;
        final int selfAttentionWideningFactor;
        final int crossAttentionWideningFactor;
        final double dropout;
        final double initializerRange;
        final int vocabSize;
        final int maxPositionEmbeddings;
        final int[] trainSize;
        final int numLabels;
        final int imageSize;

        Fields(ObjectNode hf) {
            numLatents = ConfigJson.intField(hf, "num_latents", 256);
            dLatents = ConfigJson.intField(hf, "d_latents", 1280);
            dModel = ConfigJson.intField(hf, "d_model", 768);
            numBlocks = ConfigJson.intField(hf, "num_blocks", 1);
            numSelfAttendsPerBlock = ConfigJson.intField(hf, "num_self_attends_per_block", 26);
            numSelfAttentionHeads = ConfigJson.intField(hf, "num_self_attention_heads", 8);
            numCrossAttentionHeads = ConfigJson.intField(hf, "num_cross_attention_heads", 8);
            qkChannels = ConfigJson.optionalInt(hf, "qk_channels");
            vChannels = ConfigJson.optionalInt(hf, "v_channels");
            crossAttentionShape = text(hf, "cross_attention_shape_for_attention", "kv");
            selfAttentionWideningFactor = ConfigJson.intField(hf, "self_attention_widening_factor", 1);
            crossAttentionWideningFactor = ConfigJson.intField(hf, "cross_attention_widening_factor", 1);
            dropout = ConfigJson.doubleField(hf, "attention_probs_dropout_prob", 0.1);
            initializerRange = ConfigJson.doubleField(hf, "initializer_range", 0.02);
            vocabSize = ConfigJson.intField(hf, "vocab_size", 262);
            maxPositionEmbeddings = ConfigJson.intField(hf, "max_position_embeddings", 2048);
            trainSize = ConfigJson.intArray(hf, "train_size", new int[] {368, 496});
            numLabels = numLabels(hf);
            imageSize = ConfigJson.intField(hf, "image_size", 56);
            String act = text(hf, "hidden_act", "gelu");
            if (!act.equals("gelu")) {
                throw new IllegalArgumentException(
                        "hidden_act '" + act + "' is not supported (the Perceiver MLP here is exact gelu)");
            }
            JsonNode residual = hf.get("use_query_residual");
            if (residual != null && !residual.isNull() && !residual.asBoolean()) {
                throw new IllegalArgumentException("use_query_residual false is not supported (the encoder's"
                        + " cross-attention adds its query here, as in every published Perceiver)");
            }
            if (!crossAttentionShape.equals("kv") && !crossAttentionShape.equals("q")) {
                throw new IllegalArgumentException(
                        "cross_attention_shape_for_attention '" + crossAttentionShape + "' must be 'kv' or 'q'");
            }
            int selfV = vChannels != null ? vChannels : qkChannels != null ? qkChannels : dLatents;
            if (selfV != dLatents) {
                throw new IllegalArgumentException("self-attention value channels (v_channels " + vChannels
                        + ", qk_channels " + qkChannels + ") must equal d_latents (" + dLatents
                        + "): transformers adds the attention output to the latents");
            }
            if (trainSize.length != 2) {
                throw new IllegalArgumentException(
                        "train_size " + java.util.Arrays.toString(trainSize) + " must be (height, width)");
            }
        }

        private static String text(ObjectNode hf, String name, String dflt) {
            JsonNode v = hf.get(name);
            return v == null || v.isNull() ? dflt : v.asText();
        }

        /** {@code num_labels}: the size of {@code id2label} where given (as transformers derives it), else 2. */
        private static int numLabels(ObjectNode hf) {
            JsonNode id2label = hf.get("id2label");
            if (id2label != null && id2label.isObject() && !id2label.isEmpty()) {
                return id2label.size();
            }
            return ConfigJson.intField(hf, "num_labels", 2);
        }
    }
}
