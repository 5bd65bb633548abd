package dev.perceiver.cli;

import dev.perceiver.inference.convert.FolderConverter;
import dev.perceiver.inference.hub.ModelResolver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perceiver convert SRC DST}: a model folder of any supported layout into the project's own layout. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {
            "Convert a model folder into this project's layout.",
            "The result has config.json with model_type, architectures and",
            "model_config, one model.safetensors (keys under backend_model.), tokenizer and processor files copied.",
            "SRC may be the reference's own layout (model.safetensors or pytorch_model.bin), a Hugging Face",
            "transformers Perceiver folder, or a Hub id owner/name[@revision] (from the Hub cache or downloaded).",
            "The model is loaded strictly and saved from the loaded weights, so the result gives identical outputs.",
            "Prints what it mapped."
        })
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "Model folder or Hugging Face Hub id.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Folder to write (new, or without a config.json).")
    Path target;

    @Option(names = "--show-keys", description = "List every renamed weight (source name -> state-dict key).")
    boolean showKeys;

    @Override
    public Integer call() throws Exception {
        Path src = ModelResolver.fromEnvironment().resolve(source);
        FolderConverter.Report r = FolderConverter.convert(src, target);
        PrintWriter out = Output.stdout();
        out.println("read     " + src + " as "
                + describe(r.sourceKind().modelType(), r.sourceKind().architecture()));
        out.println("weights  " + r.sourceWeights().getFileName() + ": "
                + r.renamed().size()
                + " names mapped to the reference's state-dict keys, "
                + r.dropped().size() + " not model weights"
                + " (left out)");
        if (showKeys) {
            for (Map.Entry<String, String> e : r.renamed().entrySet()) {
                out.println("  " + e.getKey() + " -> " + e.getValue());
            }
            for (String d : r.dropped()) {
                out.println("  " + d + " (left out)");
            }
        }
        out.println("wrote    " + target + " as "
                + describe(r.targetKind().modelType(), r.targetKind().architecture())
                + ": " + r.tensors() + " tensors in model.safetensors"
                + (r.copied().isEmpty() ? "" : ", copied " + String.join(", ", r.copied())));
        out.flush();
        return 0;
    }

    private static String describe(String modelType, String architecture) {
        return architecture + " (model_type " + modelType + ")";
    }
}
