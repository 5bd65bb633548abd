package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code perceiver bench} on the tiny workloads (same code path, no timing assertions) and its option errors. */
class BenchCommandTest {
    @Test
    void printsOneJsonLinePerWorkloadInOrder() throws Exception {
        TrainCommandTest.Run r = TrainCommandTest.run(
                "bench",
                "--tiny",
                "--threads",
                "1",
                "--reps",
                "1",
                "--warmup",
                "1",
                "--workloads",
                "img-train,img-infer,clm-train,clm-generate,mlm-infer");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(5);
        ObjectMapper mapper = new ObjectMapper();
        List<String> names = List.of("img-train", "img-infer", "clm-train", "clm-generate", "mlm-infer");
        List<String> units = List.of("samples/s", "samples/s", "latent-tokens/s", "tokens/s", "sequences/s");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode j = mapper.readTree(lines.get(i));
            assertThat(j.get("workload").asText()).isEqualTo(names.get(i));
            assertThat(j.get("unit").asText()).isEqualTo(units.get(i));
            for (String f : List.of("median", "min", "max", "flops_per_item", "gflops")) {
                assertThat(j.get(f).asDouble()).as(f).isPositive();
            }
            assertThat(j.get("threads").asInt()).isEqualTo(1);
            assertThat(j.get("device").asText()).isEqualTo("cpu");
            assertThat(j.get("reps").asInt()).isEqualTo(1);
        }
        assertThat(r.err()).contains("img-train: warm-up 1/1").contains("mlm-infer: rep 1/1");
    }

    @Test
    void badOptionsAreOneLineWithTheValidRange() {
        TrainCommandTest.Run r = TrainCommandTest.run("bench", "--tiny", "--workloads", "img-train,foo");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("error: --workloads: unknown workload 'foo'; valid: img-train, "
                        + "img-infer, clm-train, clm-generate, mlm-infer, matmul");
        r = TrainCommandTest.run("bench", "--tiny", "--threads", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --threads (0) must be in [1, 1024]");
        r = TrainCommandTest.run("bench", "--tiny", "--reps", "0");
        assertThat(r.err().strip()).isEqualTo("error: --reps (0) must be in [1, 100000]");
        r = TrainCommandTest.run("bench", "--tiny", "--device", "tpu");
        assertThat(r.err().strip()).isEqualTo("error: --device (tpu) must be cpu or cuda");
    }

    @Test
    void bf16AndCudaFailWithTheReason() {
        TrainCommandTest.Run r = TrainCommandTest.run("bench", "--tiny", "--threads", "1", "--bf16");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("error: --bf16 is not supported with DJL 0.35.1")
                .doesNotContain("\tat ");
        r = TrainCommandTest.run("bench", "--tiny", "--threads", "1", "--device", "cuda");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains(
                        "error: --device cuda: no CUDA device: the pytorch-native-cpu build is on " + "the classpath");
        assertThat(r.out()).isEmpty();
    }
}
