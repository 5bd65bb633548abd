package dev.perceiver.cli;

import dev.perceiver.inference.engine.Engine;
import dev.perceiver.tools.parity.CaseResult;
import dev.perceiver.tools.parity.ParityRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code perceiver parity DIR}: evaluates reference fixtures. */
@Command(
        name = "parity",
        mixinStandardHelpOptions = true,
        description = {
            "Check the reference fixtures in DIR against this implementation.",
            "Each *.safetensors file is evaluated by its file name and the config in its metadata; a",
            "NAME.expected.safetensors whose metadata names a 'folder' is a model-folder case: the folder NAME/",
            "is loaded as --model loads it, run on the file's inputs and compared with its outputs. One line per",
            "case gives the largest error of each output, the last line 'N passed, M failed' (', K skipped' when",
            "cases were skipped, e.g. Hugging Face transformers folders not supported yet). Exit code 1 if any",
            "case fails."
        })
public final class ParityCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of fixture files.")
    Path dir;

    @Option(
            names = "--engine",
            defaultValue = "libtorch",
            description = "Engine of the task-model forward passes (image and text classifiers, masked LMs):"
                    + " libtorch, onnxruntime (exported with export-onnx's exporter) or auto."
                    + " Default: ${DEFAULT-VALUE}.")
    String engine;

    @Override
    public Integer call() throws Exception {
        Engine e = Engine.parse(engine);
        if (e == Engine.ONNXRUNTIME_INT8) {
            throw new IllegalArgumentException("--engine onnxruntime-int8: parity checks float32 engines against the"
                    + " reference at float32 tolerances, which int8 weights do not meet (see README, int8)");
        }
        List<CaseResult> results = new ParityRunner(e).runDirectory(dir);
        if (results.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no parity cases (no *.safetensors fixture files)");
        }
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (CaseResult r : results) {
            System.out.println(r.describe());
            switch (r.status()) {
                case PASSED -> passed++;
                case SKIPPED -> skipped++;
                case UNSUPPORTED -> {}
                default -> failed++;
            }
        }
        System.out.println(
                passed + " passed, " + failed + " failed" + (skipped > 0 ? ", " + skipped + " skipped" : ""));
        return failed == 0 ? 0 : 1;
    }
}
