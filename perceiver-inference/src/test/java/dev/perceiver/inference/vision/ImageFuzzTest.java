package dev.perceiver.inference.vision;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.perceiver.inference.FuzzFiles;
import java.io.IOException;

/** Fuzz targets of image and {@code .flo} files: any content decodes or fails with a message, within bounds. */
class ImageFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    private static final FuzzFiles FILES = new FuzzFiles("image-fuzz");

    @FuzzTest(maxDuration = FUZZ_TIME)
    void image(byte[] content) {
        try {
            Images.rgb(Images.read(FILES.write("image", content)));
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void flow(byte[] content) {
        try {
            FlowFiles.read(FILES.write("flow.flo", content));
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }
}
