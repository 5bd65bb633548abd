package dev.perceiver.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.audio.SymbolicAudioPipeline;
import dev.perceiver.inference.audio.WavRenderer;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.text.FillMaskPipeline;
import dev.perceiver.inference.text.TextClassificationPipeline;
import dev.perceiver.inference.text.TextGenerationPipeline;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import dev.perceiver.model.config.ModelConfig;
import dev.perceiver.model.config.OpticalFlowEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.tasks.audio.AudioModelKinds;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Loads a model folder (any layout the registry reads) as the {@link ServedModel} of its task: the kind named by its
 * config.json decides which. Each model is loaded into a pipeline that owns it ({@code load} of the task's pipeline)
 * on the engine of {@link ServeOptions#engine()}: on ONNX Runtime the forward passes (cached decoding steps for
 * generation and audio) run in a session of the model's exported graph, and a pipeline whose model is then needed
 * only for its config frees its libtorch weights, so the weights are held once. Closing the served model closes
 * the pipeline: the session, and the weights. Generation models get a serial worker (one libtorch intra-op thread,
 * as the command line's generate); the others a thread of their own.
 */
final class ModelLoader {
    /** Supplies the thread a model's batching loop runs on. */
    interface Workers {
        /** @param serial true for token-by-token generation */
        Executor next(boolean serial);
    }

    private ModelLoader() {}

    /**
     * @param threads intra-op threads of each ONNX Runtime session, in [1, 1024] (see {@link PerceiverServer}: the
     *     server's thread budget)
     */
    static ServedModel load(
            String id, Path dir, ServeOptions options, int threads, Workers workers, ServerMetrics metrics)
            throws IOException {
        // read once here: the header decides the task, and a flow model's tile shape its overlap
        ObjectNode config = ModelFolder.readConfig(dir);
        ModelFolder.Header header = ModelFolder.header(dir, config);
        ModelKind<?, ?> read = ModelKinds.installed().resolve(header.modelType(), header.architectures());
        ModelKind<?, ?> kind = read.savedAs();
        String type = header.modelType();
        Engine engine = options.engine();
        int batch = options.maxBatchSize();
        if (kind == TextModelKinds.CAUSAL_LANGUAGE_MODEL) {
            return serve(
                    TextGenerationPipeline.load(dir, engine, threads),
                    p -> new GenerationModel(id, type, p, options, workers.next(true), metrics));
        }
        if (kind == TextModelKinds.MASKED_LANGUAGE_MODEL) {
            return serve(
                    FillMaskPipeline.load(dir, batch, engine, threads),
                    p -> new FillMaskModel(id, type, p, options, workers.next(false), metrics));
        }
        if (kind == TextModelKinds.TEXT_CLASSIFIER) {
            return serve(
                    TextClassificationPipeline.load(dir, batch, engine, threads),
                    p -> new TextClassificationModel(id, type, p, options, workers.next(false), metrics));
        }
        if (kind == VisionModelKinds.IMAGE_CLASSIFIER) {
            return serve(
                    ImageClassificationPipeline.load(dir, batch, engine, threads),
                    p -> new ImageClassificationModel(id, type, p, options, workers.next(false), metrics));
        }
        if (kind == VisionModelKinds.OPTICAL_FLOW) {
            int[] shape = flowImageShape(read, config, dir);
            // the command line's default overlap, or less for a model smaller than it
            int overlap = Math.min(OpticalFlowPipeline.DEFAULT_MIN_OVERLAP, Math.min(shape[0], shape[1]) - 1);
            return serve(
                    OpticalFlowPipeline.load(dir, overlap, 1, engine, threads),
                    p -> new FlowModel(id, type, p, options, workers.next(false), metrics));
        }
        if (kind == AudioModelKinds.SYMBOLIC_AUDIO_MODEL) {
            return serve(
                    SymbolicAudioPipeline.load(dir, new WavRenderer(), engine, threads),
                    p -> new AudioModel(id, p, options, workers.next(true), metrics));
        }
        throw new IllegalArgumentException("model folder " + dir + " holds a " + type + ", which has no task to serve");
    }

    /**
     * The served model {@code make} builds around a loaded pipeline (which it then owns); if that fails (its worker
     * refused, say) the pipeline is closed before the error goes on, so that its weights and session are freed.
     */
    private static <P extends AutoCloseable> ServedModel serve(P pipeline, Function<P, ServedModel> make) {
        try {
            return make.apply(pipeline);
        } catch (RuntimeException | Error e) {
            try {
                pipeline.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The tile shape (height, width) of an optical flow folder, from its config.json before the model loads. */
    private static int[] flowImageShape(ModelKind<?, ?> read, ObjectNode configJson, Path dir) {
        ModelConfig config = read.readConfig(read.modelConfig(configJson));
        if (config instanceof PerceiverIOConfig<?, ?> io && io.encoder() instanceof OpticalFlowEncoderConfig flow) {
            return flow.imageShape();
        }
        throw new IllegalArgumentException("model folder " + dir + ": an optical flow config has no image_shape");
    }
}
