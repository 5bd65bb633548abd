package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import java.util.List;

/**
 * A loaded model that turns a batch of input rows into the fields the CLI's {@code --json} output prints for them.
 * One instance serves all tasks of an executor JVM at once, so implementations are safe for concurrent calls.
 */
public interface RowPredictor extends AutoCloseable {
    /**
     * @param rows one batch, every input field present
     * @return one JSON object per row, in order, without {@code id}
     * @throws Exception naming what is wrong with an input (the caller then retries the rows one by one)
     */
    List<ObjectNode> predict(List<InputRow> rows) throws Exception;

    /** The engine the model runs on (never AUTO). */
    Engine engine();

    /** Frees the model's native memory (and closes its ONNX Runtime session). */
    @Override
    void close();
}
