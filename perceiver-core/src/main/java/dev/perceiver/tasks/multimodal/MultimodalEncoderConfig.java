package dev.perceiver.tasks.multimodal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.TaskConfigPart;
import dev.perceiver.model.position.FourierFeatures;
import dev.perceiver.nn.Checks;
import java.util.Set;

/**
 * Multimodal encoder: generic encoder fields plus the three modalities' preprocessing. Video (b, num_frames,
 * image_channels, image_size, image_size) becomes space-to-depth patches of temporal_downsample x spatial_downsample^2
 * pixels with Fourier features of {@code image_num_frequency_bands} bands (max resolution (num_frames, image_size,
 * image_size)); audio (b, num_frames * audio_samples_per_frame, 1) becomes patches of samples_per_patch samples with
 * Fourier features of {@code audio_num_frequency_bands} bands; the label (b, num_classes) is one token. Every modality
 * is padded to the common channel count max(channels) + min_padding_size.
 */
public record MultimodalEncoderConfig(
        EncoderConfig base,
        int numFrames,
        int imageSize,
        int imageChannels,
        int spatialDownsample,
        int temporalDownsample,
        int imageNumFrequencyBands,
        int audioSamplesPerFrame,
        int samplesPerPatch,
        int audioNumFrequencyBands,
        int numClasses,
        int minPaddingSize)
        implements TaskConfigPart {
    private static final Set<String> EXTRA = Set.of(
            "num_frames",
            "image_size",
            "image_channels",
            "spatial_downsample",
            "temporal_downsample",
            "image_num_frequency_bands",
            "audio_samples_per_frame",
            "samples_per_patch",
            "audio_num_frequency_bands",
            "num_classes",
            "min_padding_size");

    /** Validates the extra fields; messages name the field. */
    public MultimodalEncoderConfig {
        Checks.positive("num_frames", numFrames);
        Checks.positive("image_size", imageSize);
        Checks.positive("image_channels", imageChannels);
        Checks.positive("spatial_downsample", spatialDownsample);
        Checks.positive("temporal_downsample", temporalDownsample);
        Checks.positive("image_num_frequency_bands", imageNumFrequencyBands);
        Checks.positive("audio_samples_per_frame", audioSamplesPerFrame);
        Checks.positive("samples_per_patch", samplesPerPatch);
        Checks.positive("audio_num_frequency_bands", audioNumFrequencyBands);
        Checks.positive("num_classes", numClasses);
        Checks.positive("min_padding_size", minPaddingSize);
        Checks.divisible("num_frames", numFrames, "temporal_downsample", temporalDownsample);
        Checks.divisible("image_size", imageSize, "spatial_downsample", spatialDownsample);
        Checks.divisible(
                "num_frames * audio_samples_per_frame",
                (long) numFrames * audioSamplesPerFrame,
                "samples_per_patch",
                samplesPerPatch);
    }

    /** The defaults of {@code deepmind/multimodal-perceiver} around a generic encoder config. */
    public static MultimodalEncoderConfig defaults(EncoderConfig base) {
        return new MultimodalEncoderConfig(base, 16, 224, 3, 4, 1, 32, 1920, 16, 192, 700, 4);
    }

    /** Reads the encoder section; absent fields take {@link #defaults}. */
    public static MultimodalEncoderConfig fromJson(JsonNode node) {
        MultimodalEncoderConfig d = defaults(ConfigJson.bind(node, EncoderConfig.class, "encoder", EXTRA));
        return new MultimodalEncoderConfig(
                d.base,
                ConfigJson.intField(node, "num_frames", d.numFrames),
                ConfigJson.intField(node, "image_size", d.imageSize),
                ConfigJson.intField(node, "image_channels", d.imageChannels),
                ConfigJson.intField(node, "spatial_downsample", d.spatialDownsample),
                ConfigJson.intField(node, "temporal_downsample", d.temporalDownsample),
                ConfigJson.intField(node, "image_num_frequency_bands", d.imageNumFrequencyBands),
                ConfigJson.intField(node, "audio_samples_per_frame", d.audioSamplesPerFrame),
                ConfigJson.intField(node, "samples_per_patch", d.samplesPerPatch),
                ConfigJson.intField(node, "audio_num_frequency_bands", d.audioNumFrequencyBands),
                ConfigJson.intField(node, "num_classes", d.numClasses),
                ConfigJson.intField(node, "min_padding_size", d.minPaddingSize));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = ConfigJson.tree(base);
        o.put("num_frames", numFrames);
        o.put("image_size", imageSize);
        o.put("image_channels", imageChannels);
        o.put("spatial_downsample", spatialDownsample);
        o.put("temporal_downsample", temporalDownsample);
        o.put("image_num_frequency_bands", imageNumFrequencyBands);
        o.put("audio_samples_per_frame", audioSamplesPerFrame);
        o.put("samples_per_patch", samplesPerPatch);
        o.put("audio_num_frequency_bands", audioNumFrequencyBands);
        o.put("num_classes", numClasses);
        o.put("min_padding_size", minPaddingSize);
        return o;
    }

    /** Audio samples per example: num_frames * audio_samples_per_frame. */
    public int audioSamples() {
        return numFrames * audioSamplesPerFrame;
    }

    /** Audio patches per example: audio samples / samples_per_patch. */
    public int audioPatches() {
        return audioSamples() / samplesPerPatch;
    }

    /** Channels of an audio token: samples_per_patch + 1 * (2 * audio bands + 1). */
    public int audioChannels() {
        return samplesPerPatch + FourierFeatures.numChannels(1, audioNumFrequencyBands);
    }

    /** Channels of a video token: temporal * spatial^2 * image_channels + 3 * (2 * image bands + 1). */
    public int imageChannelsWithPositions() {
        return temporalDownsample * spatialDownsample * spatialDownsample * imageChannels
                + FourierFeatures.numChannels(3, imageNumFrequencyBands);
    }

    /** The Fourier features' max resolution of the video: (num_frames, image_size, image_size). */
    public int[] imageResolution() {
        return new int[] {numFrames, imageSize, imageSize};
    }

    /** Channels C of the encoder input: the largest modality's channels + min_padding_size. */
    public int numInputChannels() {
        return Math.max(Math.max(audioChannels(), imageChannelsWithPositions()), numClasses) + minPaddingSize;
    }
}
