package dev.perceiver.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.perceiver.inference.engine.Engine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every workload once more than warm-up on its tiny variant: same code path, no timing assertions. */
class BenchRunnerTest {
    @Test
    void everyWorkloadRunsAndHoldsItsArraysFlat(@TempDir Path tmp) throws Exception {
        BenchOptions o = new BenchOptions(
                Arrays.asList(Workload.values()), 1, 3, 1, "cpu", false, false, BenchOptions.Scale.TINY, 7, null);
        List<BenchResult> sunk = new ArrayList<>();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        List<BenchResult> results =
                BenchRunner.run(o, sunk::add, new PrintStream(progress, true, StandardCharsets.UTF_8));
        assertThat(results).hasSize(Workload.values().length).isEqualTo(sunk);
        ObjectMapper mapper = new ObjectMapper();
        for (BenchResult r : results) {
            assertThat(r.min()).isPositive().isLessThanOrEqualTo(r.median());
            assertThat(r.median()).isLessThanOrEqualTo(r.max());
            assertThat(r.flopsPerItem()).isPositive();
            assertThat(r.threads()).isEqualTo(1);
            // arrays alive in the workload's manager after each timed repetition: no growth
            assertThat(r.liveArrays()).hasSize(3).containsOnly(r.liveArrays().get(0));
            JsonNode j = mapper.readTree(r.toJsonLine());
            assertThat(j.get("workload").asText()).isEqualTo(r.workload().id());
            assertThat(j.get("unit").asText()).isEqualTo(r.workload().unit());
            assertThat(j.get("reps").asInt()).isEqualTo(3);
            assertThat(j.get("gflops").asDouble()).isPositive();
            assertThat(r.toJsonLine())
                    .startsWith("{\"workload\": \"" + r.workload().id() + "\", \"unit\": ");
        }
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("img-train: rep 3/3");
    }

    @Test
    void fp16RunsClmGenerateWithFloat16StepsAndReportsItsAccuracyOnly(@TempDir Path tmp) throws Exception {
        BenchOptions o = new BenchOptions(
                List.of(Workload.IMG_INFER, Workload.CLM_GENERATE),
                1,
                1,
                0,
                "cpu",
                false,
                true,
                BenchOptions.Scale.TINY,
                0,
                null);
        List<BenchResult> results =
                BenchRunner.run(o, r -> {}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        ObjectMapper mapper = new ObjectMapper();
        JsonNode img = mapper.readTree(results.get(0).toJsonLine());
        assertThat(img.get("dtype").asText()).isEqualTo("float32");
        assertThat(img.has("fp16_max_logit_diff")).isFalse();
        JsonNode gen = mapper.readTree(results.get(1).toJsonLine());
        assertThat(gen.get("dtype").asText()).isEqualTo("float16-steps");
        double diff = gen.get("fp16_max_logit_diff").asDouble();
        assertThat(diff)
                .isGreaterThan(0.0)
                .isLessThan(1e-2 * Math.max(1.0, gen.get("max_abs_logit").asDouble()));
        assertThat(gen.get("fp16_equal_tokens").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void profileWritesTraceAndSummary(@TempDir Path tmp) throws Exception {
        BenchOptions o = new BenchOptions(
                List.of(Workload.IMG_TRAIN, Workload.CLM_GENERATE),
                1,
                1,
                0,
                "cpu",
                false,
                false,
                BenchOptions.Scale.TINY,
                0,
                tmp,
                Engine.LIBTORCH); // the profile is libtorch's (clm-generate decodes on ONNX Runtime by default)
        BenchRunner.run(o, r -> {}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        for (String w : List.of("img-train", "clm-generate")) {
            assertThat(tmp.resolve(w + ".trace.json")).exists();
            String top = Files.readString(tmp.resolve(w + ".top.txt"));
            assertThat(top).contains("op and input shapes").contains("aten::");
        }
        assertThat(Files.readString(tmp.resolve("img-train.top.txt"))).contains("Backward");
    }
}
