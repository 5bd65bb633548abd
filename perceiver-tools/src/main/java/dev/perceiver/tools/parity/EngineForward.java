package dev.perceiver.tools.parity;

import ai.djl.ndarray.NDArray;
import dev.perceiver.inference.engine.CausalModelRunner;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverIO;

/** One forward pass of a Perceiver IO task model on the engine a parity run asks for. */
final class EngineForward {
    /** ONNX Runtime threads of parity runs (the outputs do not depend on it). */
    private static final int THREADS = 2;

    private EngineForward() {}

    /** {@code model.forward(x, padMask)} on {@code engine} (AUTO: ONNX Runtime when the model exports). */
    static NDArray forward(Engine engine, PerceiverIO model, NDArray x, NDArray padMask) {
        if (engine == Engine.LIBTORCH) {
            return model.forward(x, padMask);
        }
        try (ModelRunner runner = ModelRunners.open(model, engine, THREADS)) {
            return runner.forward(x, padMask);
        }
    }

    /** {@code model.forwardLogits(x, prefixLen, padMask, null)} on {@code engine} (AUTO: ONNX Runtime). */
    static CausalSequenceModel.LmOutput forwardCausal(
            Engine engine, CausalSequenceModel model, NDArray x, int prefixLen, NDArray padMask) {
        if (engine == Engine.LIBTORCH) {
            return model.forwardLogits(x, prefixLen, padMask, null);
        }
        try (CausalModelRunner runner = ModelRunners.openCausal(model, engine, THREADS)) {
            return runner.forward(x, prefixLen, padMask);
        }
    }
}
