package dev.perceiver.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Option ranges and workload names; messages name the option, the value and the valid range. */
class BenchOptionsTest {
    private static BenchOptions options(int threads, int reps, int warmup, String device) {
        return new BenchOptions(
                List.of(Workload.IMG_INFER),
                threads,
                reps,
                warmup,
                device,
                false,
                false,
                BenchOptions.Scale.TINY,
                0,
                null);
    }

    @Test
    void rangesAreChecked() {
        assertThatThrownBy(() -> options(0, 1, 0, "cpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--threads (0) must be in [1, 1024]");
        assertThatThrownBy(() -> options(1, 0, 0, "cpu")).hasMessage("--reps (0) must be in [1, 100000]");
        assertThatThrownBy(() -> options(1, 1, -1, "cpu")).hasMessage("--warmup (-1) must be in [0, 100000]");
        assertThatThrownBy(() -> options(1, 1, 0, "tpu")).hasMessage("--device (tpu) must be cpu or cuda");
    }

    @Test
    void workloadListsKeepTheirOrder() {
        assertThat(Workload.parseList("mlm-infer, img-train")).containsExactly(Workload.MLM_INFER, Workload.IMG_TRAIN);
        assertThatThrownBy(() -> Workload.parseList("img-train,imgtrain"))
                .hasMessage("--workloads: unknown workload 'imgtrain'; valid: img-train, img-infer, clm-train, "
                        + "clm-generate, mlm-infer, matmul");
        assertThatThrownBy(() -> Workload.parseList("img-train,,img-infer")).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> Workload.parseList("img-infer,img-infer")).hasMessageContaining("twice");
        assertThatThrownBy(() -> Workload.parseList(" ")).hasMessageContaining("at least one workload");
    }

    @Test
    void bf16IsRefusedWithTheReason() {
        assertThatThrownBy(() -> BenchRunner.checkBf16(true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bf16 is not supported with DJL 0.35.1");
    }
}
