package dev.perceiver.inference.vision;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fuzz targets of image and {@code .flo} files: any content decodes or fails with a message, within bounds. */
class ImageFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    private static Path dir;

    private static Path write(String name, byte[] content) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("image-fuzz");
                dir.toFile().deleteOnExit(); // after its files, which are registered later
            }
            Path p = Files.write(dir.resolve(name), content);
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void image(byte[] content) {
        try {
            Images.rgb(Images.read(write("image", content)));
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void flow(byte[] content) {
        try {
            FlowFiles.read(write("flow.flo", content));
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }
}
