package dev.perceiver.cli;

import ai.djl.ndarray.NDManager;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.io.ModelFolder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perceiver export-onnx --model DIR [--kv-cache] OUT.onnx}: a model folder as an ONNX model; with {@code
 * --kv-cache} the cached forward pass of a causal model ({@link OnnxExport#exportCached}).
 */
@Command(
        name = "export-onnx",
        mixinStandardHelpOptions = true,
        description = {
            "Write a model as one ONNX file (opset 17, dynamic batch and sequence axes).",
            "The graph is built from this project's module tree: image classifiers (Fourier,",
            "learned and conv preprocessing; x float32 (batch, *image_shape) -> logits; conv: any",
            "height and width), optical flow (x (batch, 2, c, h, w) -> flow (batch, h, w, 2)),",
            "masked LMs (x int64 (batch, seq), pad_mask bool (batch, seq) -> logits (batch, seq,",
            "vocab_size)), text classifiers (x, pad_mask -> logits (batch, num_classes)) and",
            "causal LMs and symbolic audio models (x, pad_mask (left padding), prefix_len int64",
            "scalar -> logits and last_hidden_state of the seq - prefix_len latent positions; the",
            "full-sequence forward pass, no kv cache; --kv-cache writes their cached forward",
            "pass for generation instead). Multimodal autoencoders are refused. The file",
            "is written atomically. ONNX Runtime's outputs equal this project's forward pass up to",
            "float rounding (parity --engine onnxruntime)."
        })
public final class ExportOnnxCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Model folder (or Hugging Face Hub id) of any task model but a multimodal autoencoder.")
    Path model;

    @Option(
            names = "--kv-cache",
            description = "Causal LMs and symbolic audio models only: write the cached forward pass, one call for"
                    + " the prompt and one per generated token (inputs x, abs_pos, rot_pos, pad_mask, prefix_len,"
                    + " past_<layer>_k/v; outputs logits of the last position, present_<layer>_k/v). How to feed"
                    + " it: the README and the file's doc string and metadata.")
    boolean kvCache;

    @Parameters(index = "0", paramLabel = "OUT.onnx", description = "The ONNX file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("OUT.onnx (" + out + ") is a directory; give a file name");
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            ModelFolder.Loaded loaded = ModelFolder.load(model, manager);
            loaded.model().setTraining(false);
            String graph = "";
            if (kvCache) {
                if (!(loaded.model() instanceof CausalSequenceModel causal)) {
                    throw new IllegalArgumentException("--kv-cache: model class "
                            + loaded.model().getClass().getSimpleName()
                            + " has no kv cache; only causal models have one (CausalLanguageModel,"
                            + " SymbolicAudioModel)");
                }
                OnnxExport.exportCached(causal, out);
                graph = " (cached forward pass, kv cache)";
            } else {
                OnnxExport.export(loaded.model(), out);
            }
            PrintWriter w = Output.stdout();
            w.println("wrote " + out + " (" + Files.size(out) + " bytes): "
                    + loaded.model().getClass().getSimpleName() + graph + ", "
                    + loaded.model().numParameters() + " parameters");
            w.flush();
        }
        return 0;
    }
}
