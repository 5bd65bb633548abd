package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.position.FourierFeatures;
import dev.perceiver.nn.Module;
import dev.perceiver.nn.Parameter;

/**
 * The encoder input of the multimodal autoencoder (transformers' {@code PerceiverMultimodalPreprocessor} with its
 * audio, image and one-hot preprocessors): each modality becomes tokens with Fourier position features, is padded to
 * the common channel count C with its trainable padding vector, and the modalities are concatenated in the order
 * audio, image, label. The label token is replaced by its trainable mask token (transformers' mask probability 1 for
 * the label, 0 for audio and video: the model predicts the label). Parameters {@code padding.<modality>} (1, C -
 * channels of the modality) and {@code mask.<modality>} (1, C); the audio and video mask tokens are never used at
 * these mask probabilities but are part of the checkpoint.
 *
 * <p>Shapes: video (b, T, c, H, W), audio (b, S, 1) or (b, S), label (b, num_classes) -> (b, S / samples_per_patch +
 * (T / t) (H / s) (W / s) + 1, C), with t, s the temporal and spatial downsampling.
 */
public final class MultimodalPreprocessor extends Module {
    private final MultimodalEncoderConfig config;
    private final Parameter padAudio;
    private final Parameter padImage;
    private final Parameter padLabel;
    private final Parameter maskLabel;

    public MultimodalPreprocessor(NDManager manager, MultimodalEncoderConfig config) {
        super(manager);
        this.config = config;
        int c = config.numInputChannels();
        double init = config.base().initScale();
        padAudio = parameter("padding.audio", normal(init, 1, c - config.audioChannels()));
        padImage = parameter("padding.image", normal(init, 1, c - config.imageChannelsWithPositions()));
        padLabel = parameter("padding.label", normal(init, 1, c - config.numClasses()));
        parameter("mask.audio", normal(init, 1, c));
        parameter("mask.image", normal(init, 1, c));
        maskLabel = parameter("mask.label", normal(init, 1, c));
    }

    /**
     * @param image video (b, T, c, H, W), T divisible by temporal_downsample, H and W by spatial_downsample
     * @param audio (b, num_frames * audio_samples_per_frame, 1) or (b, num_frames * audio_samples_per_frame)
     * @param label (b, num_classes); its values do not matter (the label is masked)
     * @return encoder input (b, M, C)
     * @throws IllegalArgumentException naming the modality whose shape is wrong, the shape and the one expected
     */
    public NDArray forward(NDArray image, NDArray audio, NDArray label) {
        long b = checkBatch(image, audio, label);
        NDArray a = pad(audioTokens(audio, b), padAudio);
        NDArray v = pad(videoTokens(image, b), padImage);
        checkLabel(label, b);
        NDArray l = maskLabel.array().expandDims(0).broadcast(new Shape(b, 1, config.numInputChannels()));
        return NDArrays.concat(new NDList(a, v, l), 1);
    }

    /** Audio (b, S[, 1]) -> (b, S / samples_per_patch, samples_per_patch + Fourier features). */
    private NDArray audioTokens(NDArray audio, long b) {
        Shape s = audio.getShape();
        int samples = config.audioSamples();
        boolean ok = (s.dimension() == 2 && s.get(1) == samples)
                || (s.dimension() == 3 && s.get(1) == samples && s.get(2) == 1);
        if (!ok) {
            throw new IllegalArgumentException("audio shape " + s + " must be (batch, " + samples + ", 1): num_frames "
                    + config.numFrames() + " * audio_samples_per_frame " + config.audioSamplesPerFrame());
        }
        int n = config.audioPatches();
        NDArray patches = audio.reshape(b, n, config.samplesPerPatch());
        NDArray pos = FourierFeatures.encode(
                FourierFeatures.grid(audio.getManager(), new int[] {n}),
                new int[] {samples},
                config.audioNumFrequencyBands());
        return withPositions(patches, pos);
    }

    /**
     * Space-to-depth of video (b, T, c, H, W) -> (b, T/t * H/s * W/s, t*s*s*c + Fourier features); the patch channels
     * are ordered (t, s_h, s_w, c).
     */
    private NDArray videoTokens(NDArray image, long b) {
        Shape s = image.getShape();
        int t = config.temporalDownsample();
        int sp = config.spatialDownsample();
        if (s.dimension() != 5
                || s.get(2) != config.imageChannels()
                || s.get(1) % t != 0
                || s.get(3) % sp != 0
                || s.get(4) % sp != 0) {
            throw new IllegalArgumentException("image shape " + s + " must be (batch, frames, "
                    + config.imageChannels() + ", height, width) with frames divisible by temporal_downsample " + t
                    + " and height, width divisible by spatial_downsample " + sp);
        }
        long c = s.get(2);
        int[] grid = {(int) (s.get(1) / t), (int) (s.get(3) / sp), (int) (s.get(4) / sp)};
        NDArray patches = image.reshape(b, grid[0], t, c, grid[1], sp, grid[2], sp)
                .transpose(0, 1, 4, 6, 2, 5, 7, 3)
                .reshape(b, (long) grid[0] * grid[1] * grid[2], t * sp * sp * c);
        NDArray pos = FourierFeatures.encode(
                FourierFeatures.grid(image.getManager(), grid),
                config.imageResolution(),
                config.imageNumFrequencyBands());
        return withPositions(patches, pos);
    }

    private static NDArray withPositions(NDArray tokens, NDArray pos) {
        Shape s = tokens.getShape();
        NDArray p = pos.expandDims(0)
                .broadcast(new Shape(
                        s.get(0), pos.getShape().get(0), pos.getShape().get(1)));
        return tokens.concat(p, 2);
    }

    /** Tokens (b, n, c) padded with the (1, C - c) padding vector to (b, n, C). */
    private static NDArray pad(NDArray tokens, Parameter padding) {
        Shape s = tokens.getShape();
        NDArray p = padding.array()
                .expandDims(0)
                .broadcast(new Shape(s.get(0), s.get(1), padding.shape().get(1)));
        return tokens.concat(p, 2);
    }

    private void checkLabel(NDArray label, long b) {
        if (label == null) {
            return;
        }
        Shape s = label.getShape();
        if (s.dimension() != 2 || s.get(0) != b || s.get(1) != config.numClasses()) {
            throw new IllegalArgumentException(
                    "label shape " + s + " must be (batch, num_classes) = (" + b + ", " + config.numClasses() + ")");
        }
    }

    private static long checkBatch(NDArray image, NDArray audio, NDArray label) {
        if (image == null || audio == null) {
            throw new IllegalArgumentException(
                    (image == null ? "image" : "audio") + " is required (the model encodes video and audio)");
        }
        long b = image.getShape().get(0);
        if (audio.getShape().get(0) != b) {
            throw new IllegalArgumentException(
                    "audio batch size " + audio.getShape().get(0) + " must equal the image batch size " + b);
        }
        return b;
    }

    public MultimodalEncoderConfig config() {
        return config;
    }
}
