package dev.perceiver.cli;

import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunners;
import picocli.CommandLine.Option;

/** The {@code --engine} option of the generating commands (generate, generate-audio), a picocli mixin. */
final class DecodingEngineOption {
    @Option(
            names = "--engine",
            defaultValue = "auto",
            paramLabel = "libtorch|onnxruntime|auto",
            description = "Engine of the cached decoding steps (default: ${DEFAULT-VALUE}: ONNX Runtime on the"
                    + " model's exported cached forward pass where it loads, about 3x faster on CPUs; --fp16 and"
                    + " --no-cache run on libtorch; see README, Decoding speed).")
    String engine;

    /**
     * The engine the cached steps run on with these generation options ({@link ModelRunners#decoderEngine}).
     *
     * @throws IllegalArgumentException for an unknown engine name, or onnxruntime with an option it cannot run
     */
    Engine decodeOn(boolean useCache, boolean fp16) {
        return ModelRunners.decoderEngine(
                Engine.parse(engine),
                GenerationConfig.greedy(1).withCache(useCache).withFloat16Steps(fp16));
    }
}
