package dev.perceiver.cli;

import dev.perceiver.tools.parity.CaseResult;
import dev.perceiver.tools.parity.ParityRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code perceiver parity DIR}: evaluates reference fixtures. */
@Command(
        name = "parity",
        mixinStandardHelpOptions = true,
        description = {
            "Check the reference fixtures in DIR against this implementation.",
            "Each *.safetensors file is evaluated by its file name and the config in its metadata; one line per",
            "case gives the largest error of each output, the last line 'N passed, M failed'. Exit code 1 if",
            "any case fails."
        })
public final class ParityCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory of fixture files.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        List<CaseResult> results = new ParityRunner().runDirectory(dir);
        int passed = 0;
        int failed = 0;
        for (CaseResult r : results) {
            System.out.println(r.describe());
            if (r.status() == CaseResult.Status.PASSED) {
                passed++;
            } else if (r.status() != CaseResult.Status.UNSUPPORTED) {
                failed++;
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
