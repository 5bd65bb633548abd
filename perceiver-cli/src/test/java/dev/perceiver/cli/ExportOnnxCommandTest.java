package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationOutput;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.io.ModelFolder;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code perceiver export-onnx}: writes a file for an exportable folder, refuses other models with exit code 2; with
 * {@code --kv-cache} the cached graph, which ONNX Runtime's own API runs as libtorch's cached decoding.
 */
class ExportOnnxCommandTest {
    private static final Path FOLDERS =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-folders");
    private static final Path HUGGINGFACE =
            Path.of("..", "perceiver-train", "src", "test", "resources", "fixtures-huggingface");

    @Test
    void exportsAMaskedLanguageModelFolder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("sub").resolve("mlm.onnx");
        TrainCommandTest.Run r = TrainCommandTest.run(
                "export-onnx", "--model", FOLDERS.resolve("mlm").toString(), out.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("wrote " + out).contains("MaskedLanguageModel");
        assertThat(Files.size(out)).isGreaterThan(1000);
        assertThat(Files.list(out.getParent()).count()).isEqualTo(1);
    }

    @Test
    void exportsCausalModelFolders(@TempDir Path tmp) throws Exception {
        for (String name : new String[] {"clm", "symbolic_audio"}) {
            Path out = tmp.resolve(name + ".onnx");
            TrainCommandTest.Run r = TrainCommandTest.run(
                    "export-onnx", "--model", FOLDERS.resolve(name).toString(), out.toString());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("wrote " + out);
            assertThat(Files.size(out)).isGreaterThan(1000);
        }
    }

    @Test
    void refusesAMultimodalAutoencoderWithTheReason(@TempDir Path tmp) {
        Path out = tmp.resolve("multimodal.onnx");
        TrainCommandTest.Run r = TrainCommandTest.run(
                "export-onnx", "--model", HUGGINGFACE.resolve("multimodal").toString(), out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("MultimodalAutoencoder cannot be exported").contains("supported");
        assertThat(out).doesNotExist();
    }

    @Test
    void kvCacheGraphDecodesOnOnnxRuntimeAsLibtorchDoes(@TempDir Path tmp) throws Exception {
        for (String name : new String[] {"clm", "symbolic_audio"}) {
            Path out = tmp.resolve(name + "-cached.onnx");
            TrainCommandTest.Run r = TrainCommandTest.run(
                    "export-onnx",
                    "--kv-cache",
                    "--model",
                    FOLDERS.resolve(name).toString(),
                    out.toString());
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("wrote " + out).contains("(cached forward pass, kv cache)");
            try (NDManager m = NDManager.newBaseManager()) {
                CausalSequenceModel model = (CausalSequenceModel)
                        ModelFolder.load(FOLDERS.resolve(name), m).model();
                model.setTraining(false);
                // two prompts, the second left-padded by 3; 2 latents at the start (prefix 8), 4 greedy tokens
                PromptBatch prompts = PromptBatch.leftPadded(
                        List.of(new long[] {5, 17, 33, 2, 90, 41, 7, 120, 64, 3}, new long[] {9, 8, 77, 6, 51, 4, 30}),
                        0);
                GenerationOutput expected = new CausalGenerator(model)
                        .generate(prompts, GenerationConfig.greedy(4).withNumLatents(2), true, null);
                float[][][] actual = decodeOnOnnxRuntime(out, model, expected.sequences(), prompts, 2, 4);
                float maxDiff = 0;
                for (int row = 0; row < 2; row++) {
                    for (int step = 0; step < 4; step++) {
                        float[] e = expected.stepLogits()[row][step];
                        for (int i = 0; i < e.length; i++) {
                            maxDiff = Math.max(maxDiff, Math.abs(actual[row][step][i] - e[i]));
                        }
                    }
                }
                assertThat(maxDiff).as(name).isLessThan(1e-4f);
            }
        }
    }

    @Test
    void refusesKvCacheForAModelWithoutOne(@TempDir Path tmp) {
        Path out = tmp.resolve("mlm.onnx");
        TrainCommandTest.Run r = TrainCommandTest.run(
                "export-onnx", "--kv-cache", "--model", FOLDERS.resolve("mlm").toString(), out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo(
                        "error: --kv-cache: model class MaskedLanguageModel has no kv cache; only causal models have one"
                                + " (CausalLanguageModel, SymbolicAudioModel)");
        assertThat(out).doesNotExist();
    }

    /**
     * Runs the cached graph with ONNX Runtime's API as its doc string says: the prompt pass (prefix = n - numLatents,
     * positions shifted by each row's left padding, empty caches), then {@code steps - 1} one-token steps that feed
     * the tokens of {@code sequences} and the present caches back. Returns the logits (batch, steps, vocab_size).
     */
    private static float[][][] decodeOnOnnxRuntime(
            Path file, CausalSequenceModel model, long[][] sequences, PromptBatch prompts, int numLatents, int steps)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int batch = prompts.batchSize();
        int n = prompts.length();
        int[] padding = new int[batch];
        for (int row = 0; row < batch; row++) {
            padding[row] = prompts.padding(row);
        }
        float[][][] logits = new float[batch][steps][];
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(file.toString(), options)) {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            assertThat(metadata)
                    .containsEntry(
                            "perceiver.max_seq_len",
                            Integer.toString(model.config().maxSeqLen()))
                    .containsEntry(
                            "perceiver.max_latents",
                            Integer.toString(model.config().maxLatents()));
            assertThat(session.getMetadata().getDescription()).contains("prefix_len = n - num_latents");
            String[] layers = metadata.get("perceiver.cache_layers").split(",");
            assertThat(layers).hasSize(1 + model.selfAttention().layers().size());
            Map<String, OnnxTensor> past = new HashMap<>();
            for (String layer : layers) {
                for (String kv : new String[] {"_k", "_v"}) {
                    long[] shape = ((TensorInfo) session.getInputInfo()
                                    .get("past_" + layer + kv)
                                    .getInfo())
                            .getShape(); // (batch, heads, cached, d): batch and cached symbolic (-1)
                    past.put(
                            "past_" + layer + kv,
                            OnnxTensor.createTensor(
                                    env, java.nio.FloatBuffer.allocate(0), new long[] {batch, shape[1], 0, shape[3]}));
                }
            }
            OrtSession.Result last = null;
            for (int step = 0; step < steps; step++) {
                int from = step == 0 ? 0 : n + step - 1; // index t of the first new token
                int to = n + step; // tokens seen after this call
                long[] x = new long[batch * (to - from)];
                long[] positions = new long[x.length];
                boolean[] padMask = new boolean[batch * to];
                for (int row = 0; row < batch; row++) {
                    for (int t = from; t < to; t++) {
                        x[row * (to - from) + t - from] = sequences[row][t];
                        // no positions are cut from the caches here (dropped = 0): abs_pos = rot_pos
                        positions[row * (to - from) + t - from] = Math.max(t - padding[row], 0);
                    }
                    for (int t = 0; t < to; t++) {
                        padMask[row * to + t] = t < padding[row];
                    }
                }
                long[] newShape = {batch, to - from};
                List<OnnxTensor> own = new ArrayList<>();
                Map<String, OnnxTensor> inputs = new HashMap<>(past);
                inputs.put("x", own(own, OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(x), newShape)));
                inputs.put(
                        "abs_pos",
                        own(own, OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(positions), newShape)));
                inputs.put(
                        "rot_pos",
                        own(own, OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(positions), newShape)));
                ByteBuffer mask = ByteBuffer.allocateDirect(padMask.length);
                for (boolean b : padMask) {
                    mask.put((byte) (b ? 1 : 0));
                }
                mask.rewind();
                inputs.put(
                        "pad_mask",
                        own(own, OnnxTensor.createTensor(env, mask, new long[] {batch, to}, OnnxJavaType.BOOL)));
                inputs.put(
                        "prefix_len", own(own, OnnxTensor.createTensor(env, step == 0 ? (long) (n - numLatents) : 0L)));
                OrtSession.Result result = session.run(inputs);
                own.forEach(OnnxTensor::close);
                if (last == null) {
                    past.values().forEach(OnnxTensor::close);
                } else {
                    last.close();
                }
                last = result;
                float[][][] stepLogits =
                        (float[][][]) result.get("logits").orElseThrow().getValue();
                for (int row = 0; row < batch; row++) {
                    logits[row][step] = stepLogits[row][0];
                }
                for (String layer : layers) {
                    for (String kv : new String[] {"_k", "_v"}) {
                        past.put("past_" + layer + kv, (OnnxTensor)
                                result.get("present_" + layer + kv).orElseThrow());
                    }
                }
            }
            last.close();
        }
        return logits;
    }

    private static OnnxTensor own(List<OnnxTensor> own, OnnxTensor t) {
        own.add(t);
        return t;
    }
}
