package dev.perceiver.train.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.perceiver.inference.FuzzFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzz targets of the training data readers (IDX images and labels, gzip or raw; CSV and JSON Lines classification
 * files): any content loads or fails with an {@link IOException} / {@link IllegalArgumentException}, never with
 * another exception or an allocation beyond the file's size.
 */
class DataFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    private static final FuzzFiles FILES = new FuzzFiles("data-fuzz");

    @FuzzTest(maxDuration = FUZZ_TIME)
    void idx(byte[] content) {
        try {
            IdxReader.readImages(new ByteArrayInputStream(content), "images");
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
        try {
            IdxReader.readLabels(new ByteArrayInputStream(content), "labels");
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void csv(byte[] content) {
        try {
            ClassificationFiles.readCsv(FILES.write("data.csv", content), new LabelVocabulary())
                    .numClasses();
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void jsonl(byte[] content) {
        try {
            ClassificationFiles.readJsonl(FILES.write("data.jsonl", content), new LabelVocabulary())
                    .numClasses();
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
    }
}
