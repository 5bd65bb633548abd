package dev.perceiver.tasks.multimodal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.TaskConfigPart;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Multimodal decoder: generic decoder fields (one shared cross-attention for all modalities) plus
 * {@code output_image_shape} (T, H, W): the pixel grid the video queries index; {@code output_num_channels}: channels
 * of the decoder output before the per-modality postprocessors; {@code label_query_channels}: channels of the label's
 * trainable query; {@code min_padding_size}: the queries are padded to max(query channels) + min_padding_size.
 */
public record MultimodalDecoderConfig(
        DecoderConfig base, int[] outputImageShape, int outputNumChannels, int labelQueryChannels, int minPaddingSize)
        implements TaskConfigPart {
    private static final Set<String> EXTRA =
            Set.of("output_image_shape", "output_num_channels", "label_query_channels", "min_padding_size");

    /** Validates the extra fields; messages name the field. */
    public MultimodalDecoderConfig {
        Checks.require(
                outputImageShape.length == 3,
                "output_image_shape " + java.util.Arrays.toString(outputImageShape) + " must be (frames, h, w)");
        for (int s : outputImageShape) {
            Checks.positive("output_image_shape dimension", s);
        }
        outputImageShape = outputImageShape.clone();
        Checks.positive("output_num_channels", outputNumChannels);
        Checks.positive("label_query_channels", labelQueryChannels);
        Checks.positive("min_padding_size", minPaddingSize);
    }

    /** The defaults of {@code deepmind/multimodal-perceiver} around a generic decoder config. */
    public static MultimodalDecoderConfig defaults(DecoderConfig base) {
        return new MultimodalDecoderConfig(base, new int[] {16, 224, 224}, 512, 1024, 2);
    }

    /** Reads the decoder section; absent fields take {@link #defaults}. */
    public static MultimodalDecoderConfig fromJson(JsonNode node) {
        MultimodalDecoderConfig d = defaults(ConfigJson.bind(node, DecoderConfig.class, "decoder", EXTRA));
        return new MultimodalDecoderConfig(
                d.base,
                ConfigJson.intArray(node, "output_image_shape", d.outputImageShape),
                ConfigJson.intField(node, "output_num_channels", d.outputNumChannels),
                ConfigJson.intField(node, "label_query_channels", d.labelQueryChannels),
                ConfigJson.intField(node, "min_padding_size", d.minPaddingSize));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.set("output_image_shape", ConfigJson.MAPPER.valueToTree(outputImageShape));
        o.put("output_num_channels", outputNumChannels);
        o.put("label_query_channels", labelQueryChannels);
        o.put("min_padding_size", minPaddingSize);
        return o;
    }

    @Override
    public int[] outputImageShape() {
        return outputImageShape.clone();
    }
}
