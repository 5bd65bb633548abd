package dev.perceiver.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self times of nested profiler events, aggregated by op and shapes. */
class TraceSummaryTest {
    @Test
    void selfTimeSubtractsDirectChildrenPerThread(@TempDir Path tmp) throws Exception {
        Path trace = tmp.resolve("t.json");
        Files.writeString(trace, """
                [
                {"name": "aten::linear", "ph": "X", "ts": 0, "dur": 100, "tid": 1, "pid": "CPU", "shape": [[4, 8], [2, 8]]},
                {"name": "aten::t", "ph": "X", "ts": 1, "dur": 10, "tid": 1, "pid": "CPU", "shape": [[2, 8]]},
                {"name": "aten::addmm", "ph": "X", "ts": 20, "dur": 70, "tid": 1, "pid": "CPU", "shape": [[2], [4, 8], [8, 2]]},
                {"name": "aten::copy_", "ph": "X", "ts": 30, "dur": 5, "tid": 1, "pid": "CPU", "shape": []},
                {"name": "aten::addmm", "ph": "X", "ts": 40, "dur": 30, "tid": 2, "pid": "CPU", "shape": [[2], [4, 8], [8, 2]]},
                {"name": "meta", "ph": "M"}
                ]
                """);
        TraceSummary s = TraceSummary.read(trace);
        assertThat(s.busyMicros()).isEqualTo(130.0);
        TraceSummary.Entry top = s.entries().get(0);
        assertThat(top.name()).isEqualTo("aten::addmm");
        assertThat(top.shapes()).isEqualTo("[[2], [4, 8], [8, 2]]");
        assertThat(top.calls()).isEqualTo(2);
        assertThat(top.selfMicros()).isEqualTo(65.0 + 30.0);
        assertThat(top.maxSelfMicros()).isEqualTo(65.0);
        assertThat(s.spanMicros()).isEqualTo(100.0);
        assertThat(s.entries()).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("aten::linear");
            assertThat(e.selfMicros()).isEqualTo(20.0);
            assertThat(e.totalMicros()).isEqualTo(100.0);
        });
        assertThat(s.format(3)).contains("aten::addmm [[2], [4, 8], [8, 2]]").contains("busy in ops 0.1 ms");
    }

    @Test
    void notAnArrayIsAnError(@TempDir Path tmp) throws Exception {
        Path trace = tmp.resolve("t.json");
        Files.writeString(trace, "{\"traceEvents\": []}");
        assertThatThrownBy(() -> TraceSummary.read(trace)).hasMessageContaining("must be a JSON array");
    }
}
