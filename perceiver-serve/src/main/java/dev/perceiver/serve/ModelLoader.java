package dev.perceiver.serve;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.audio.SymbolicAudioPipeline;
import dev.perceiver.inference.text.TextModelFolder;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.tasks.audio.AudioModelKinds;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;

/**
 * Loads a model folder (any layout the registry reads) as the {@link ServedModel} of its task: the kind named by its
 * config.json decides which. Generation models get a serial worker (one intra-op thread, as the command line's
 * generate); the others a thread of their own.
 */
final class ModelLoader {
    /** Supplies the thread a model's batching loop runs on. */
    interface Workers {
        /** @param serial true for token-by-token generation */
        Executor next(boolean serial);
    }

    private ModelLoader() {}

    static ServedModel load(
            String id, Path dir, NDManager manager, ServeOptions options, Workers workers, ServerMetrics metrics)
            throws IOException {
        ModelFolder.Header header = ModelFolder.header(dir);
        ModelKind<?, ?> kind = ModelKinds.installed()
                .resolve(header.modelType(), header.architectures())
                .savedAs();
        String type = header.modelType();
        if (kind == TextModelKinds.CAUSAL_LANGUAGE_MODEL) {
            return new GenerationModel(
                    id,
                    TextModelFolder.load(dir, manager, "text-generation", TextModelKinds.CAUSAL_LANGUAGE_MODEL),
                    options,
                    workers.next(true),
                    metrics);
        }
        if (kind == TextModelKinds.MASKED_LANGUAGE_MODEL) {
            return new FillMaskModel(
                    id,
                    TextModelFolder.load(dir, manager, "fill-mask", TextModelKinds.MASKED_LANGUAGE_MODEL),
                    options,
                    workers.next(false),
                    metrics);
        }
        if (kind == TextModelKinds.TEXT_CLASSIFIER) {
            return new TextClassificationModel(
                    id,
                    TextModelFolder.load(dir, manager, "text-classification", TextModelKinds.TEXT_CLASSIFIER),
                    options,
                    workers.next(false),
                    metrics);
        }
        if (kind == VisionModelKinds.IMAGE_CLASSIFIER) {
            return new ImageClassificationModel(
                    id,
                    type,
                    ImageClassificationPipeline.load(dir, options.maxBatchSize()),
                    options,
                    workers.next(false),
                    metrics);
        }
        if (kind == VisionModelKinds.OPTICAL_FLOW) {
            OpticalFlow flow = (OpticalFlow) ModelFolder.load(dir, manager).model();
            flow.setTraining(false);
            int[] shape = flow.config().encoder().imageShape();
            // the command line's default overlap, or less for a model smaller than it
            int overlap = Math.min(OpticalFlowPipeline.DEFAULT_MIN_OVERLAP, Math.min(shape[0], shape[1]) - 1);
            return new FlowModel(
                    id, type, new OpticalFlowPipeline(flow, overlap, 1), options, workers.next(false), metrics);
        }
        if (kind == AudioModelKinds.SYMBOLIC_AUDIO_MODEL) {
            return new AudioModel(
                    id, SymbolicAudioPipeline.loadModel(dir, manager), options, workers.next(true), metrics);
        }
        throw new IllegalArgumentException("model folder " + dir + " holds a " + type + ", which has no task to serve");
    }
}
