package dev.perceiver.cli;

import dev.perceiver.inference.convert.FolderConverter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code perceiver convert SRC DST [--layout reference|huggingface]}: a model folder of any supported layout into the
 * project's own layout, or into Hugging Face transformers' layout where that expresses the model.
 */
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
            "With --layout huggingface the folder is in Hugging Face transformers' own layout instead (config.json of",
            "a PerceiverConfig, model.safetensors under transformers' names), for the models transformers computes",
            "(masked LM, text classifier, image classifiers, optical flow); any other model is an error.",
            "Prints what it mapped."
        })
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "SRC",
            descriptionKey = ModelOption.POSITIONAL,
            description = "Model folder or Hugging Face Hub id.")
    Path source;

    @Parameters(index = "1", paramLabel = "DST", description = "Folder to write (new, or without a config.json).")
    Path target;

    @Option(
            names = "--layout",
            paramLabel = "LAYOUT",
            defaultValue = "reference",
            converter = LayoutConverter.class,
            description = "reference (this project's and krasserm/perceiver-io's layout) or huggingface"
                    + " (transformers' PerceiverFor* classes) (default: ${DEFAULT-VALUE}).")
    FolderConverter.Layout layout;

    @Option(names = "--show-keys", description = "List every renamed weight (source name -> state-dict key).")
    boolean showKeys;

    @Override
    public Integer call() throws Exception {
        Path src = source;
        FolderConverter.Report r = FolderConverter.convert(src, target, layout);
        PrintWriter out = Output.stdout();
        out.println("read     " + src + " as "
                + describe(r.sourceKind().modelType(), r.sourceKind().architecture()));
        out.println("weights  " + r.sourceWeights().getFileName() + ": "
                + r.renamed().size()
                + (layout == FolderConverter.Layout.HUGGINGFACE
                        ? " names mapped to transformers' parameter names, "
                        : " names mapped to the reference's state-dict keys, ")
                + r.dropped().size() + " left out (not model weights"
                + (layout == FolderConverter.Layout.HUGGINGFACE ? ", or fixed buffers transformers computes)" : ")"));
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

    /** {@code reference} or {@code huggingface}; anything else is an error naming the valid values. */
    static final class LayoutConverter implements picocli.CommandLine.ITypeConverter<FolderConverter.Layout> {
        @Override
        public FolderConverter.Layout convert(String value) {
            return switch (value) {
                case "reference" -> FolderConverter.Layout.REFERENCE;
                case "huggingface" -> FolderConverter.Layout.HUGGINGFACE;
                default ->
                    throw new picocli.CommandLine.TypeConversionException(
                            "--layout '" + value + "' must be 'reference' or 'huggingface'");
            };
        }
    }
}
