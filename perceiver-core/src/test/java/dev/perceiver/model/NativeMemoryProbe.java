package dev.perceiver.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.tasks.vision.ImageClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs forward passes in a JVM of its own (fixed small heap, so Java heap growth cannot hide in or pose as native
 * growth) and prints "arrays RSS_KB" after a warm-up and after each later window of passes.
 */
public final class NativeMemoryProbe {
    private NativeMemoryProbe() {}

    public static void main(String[] args) throws IOException {
        int windows = Integer.parseInt(args[0]);
        int passes = Integer.parseInt(args[1]);
        try (NDManager manager = NDManager.newBaseManager()) {
            ImageClassifier model = new ImageClassifier(
                    manager,
                    PerceiverIOConfig.fromJson(
                            ConfigJson.parse(ConfigErrorsTest.imageConfig(
                                    ", \"num_cross_attention_layers\": 2, \"num_self_attention_blocks\": 2")),
                            ImageEncoderConfig::fromJson,
                            ClassificationDecoderConfig::fromJson));
            NDArray x = manager.randomUniform(0, 1, new Shape(16, 4, 4, 1));
            for (int w = 0; w <= windows; w++) {
                for (int i = 0; i < passes; i++) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        model.forward(x).sum().getFloat();
                    }
                }
                System.gc();
                System.out.println(manager.getManagedArrays().size() + " " + residentKb());
            }
        }
    }

    static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
