package dev.perceiver.model.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.perceiver.model.limits.InputLimits;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Fuzz targets of the weight readers: any byte string must either parse or fail with an {@link IOException} or
 * {@link IllegalArgumentException}; anything else (a runtime exception, an {@link OutOfMemoryError} under the fuzz
 * profile's 1 GiB heap, a hang) is a finding. The seed corpus under {@code ReaderFuzzTestInputs/} runs in every build.
 */
class ReaderFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    @FuzzTest(maxDuration = FUZZ_TIME)
    void safetensors(byte[] data) {
        try {
            SafetensorsFile f = SafetensorsFile.read(data);
            for (TensorData t : f.tensors().values()) {
                StateDicts.firstNonFinite(t);
            }
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void torchCheckpoint(byte[] data) {
        try {
            TorchCheckpoint.read(data);
        } catch (IOException | UncheckedIOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void torchLightningCheckpoint(byte[] data) {
        try {
            TorchCheckpoint.readLightning(data);
        } catch (IOException | UncheckedIOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    /** The limits hold for the readers' own allocations: a checked value never exceeds its limit. */
    @FuzzTest(maxDuration = FUZZ_TIME)
    void limitCheck(long value) {
        try {
            InputLimits.check("x", value, InputLimits.MAX_TOKEN_ID);
            if (value > InputLimits.MAX_TOKEN_ID) {
                throw new AssertionError("accepted " + value);
            }
        } catch (IllegalArgumentException expected) {
            // over the limit
        }
    }
}
