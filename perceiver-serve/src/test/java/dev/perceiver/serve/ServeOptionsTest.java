package dev.perceiver.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.engine.Engine;
import org.junit.jupiter.api.Test;

class ServeOptionsTest {
    @Test
    void eachWithMethodChangesOnlyItsFieldsAndIsChecked() {
        ServeOptions d = ServeOptions.defaults();
        ServeOptions o = d.withPort(0).withBatching(3, 7).withQueue(9, 11);
        assertThat(o)
                .isEqualTo(new ServeOptions(
                        d.host(),
                        0,
                        3,
                        7,
                        d.maxBodyBytes(),
                        d.maxTextChars(),
                        d.maxImagePixels(),
                        d.maxNewTokens(),
                        9,
                        11,
                        d.drainMs(),
                        d.engine()));
        assertThat(o.withPort(8081).withBatching(3, 7).withQueue(9, 11)).isEqualTo(o.withPort(8081));
        assertThat(d.engine()).isEqualTo(Engine.AUTO);
        assertThat(o.withEngine(Engine.LIBTORCH))
                .isEqualTo(o.withEngine(Engine.ONNXRUNTIME).withEngine(Engine.LIBTORCH));
        assertThat(o.withEngine(Engine.LIBTORCH).withPort(0).engine()).isEqualTo(Engine.LIBTORCH);
        assertThatThrownBy(() -> d.withBatching(0, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max_batch_size (0) must be in [1, 1024]");
        assertThatThrownBy(() -> d.withQueue(64, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout_ms (0) must be in [1, 86400000]");
    }
}
