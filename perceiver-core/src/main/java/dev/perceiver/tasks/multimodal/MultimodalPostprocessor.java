package dev.perceiver.tasks.multimodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Linear;
import dev.perceiver.nn.Module;
import java.util.Map;

/**
 * The per-modality heads of the multimodal autoencoder (transformers' {@code PerceiverMultimodalPostprocessor} with
 * its audio, projection and classification postprocessors): children {@code audio} (F -> samples_per_patch, patches
 * flattened to samples), {@code image} (F -> image_channels), {@code label} (F -> num_classes).
 */
public final class MultimodalPostprocessor extends Module {
    private final Linear audio;
    private final Linear image;
    private final Linear label;

    /** @param numChannels F, the decoder's output_num_channels */
    public MultimodalPostprocessor(NDManager manager, MultimodalEncoderConfig encoder, int numChannels, double init) {
        super(manager);
        audio = child("audio", new Linear(manager, numChannels, encoder.samplesPerPatch(), true, init));
        image = child("image", new Linear(manager, numChannels, encoder.imageChannels(), true, init));
        label = child("label", new Linear(manager, numChannels, encoder.numClasses(), true, init));
    }

    /**
     * @param decoded the decoder output per modality: audio (b, n_audio, F), image (b, n_image, F), label (b, 1, F)
     * @return audio (b, n_audio * samples_per_patch), image (b, n_image, image_channels), label logits (b, classes)
     */
    public MultimodalOutput forward(Map<String, NDArray> decoded) {
        NDArray a = audio.forward(decoded.get("audio"));
        long b = a.getShape().get(0);
        return new MultimodalOutput(
                a.reshape(b, -1),
                image.forward(decoded.get("image")),
                label.forward(decoded.get("label")).squeeze(1));
    }
}
