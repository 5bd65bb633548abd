package dev.perceiver.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.json.ResultJson;
import dev.perceiver.inference.vision.FlowField;
import dev.perceiver.inference.vision.OpticalFlowPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * flow: {@code frame1}, {@code frame2} (file paths) -> the fields of {@code perceiver flow --json} that describe the
 * field (shape, tiles, tile_shape, u, v, magnitude, finite_vectors); no image is written. A row's tiles are batched
 * by {@code --batch-size}.
 */
final class FlowPredictor implements RowPredictor {
    private final OpticalFlowPipeline pipeline;
    private final String model;

    FlowPredictor(InferenceSettings s) throws IOException {
        pipeline = OpticalFlowPipeline.load(
                Path.of(s.modelDir()), s.minOverlap(), s.batchSize(), s.engine(), ExecutorModels.sessionThreads(s));
        model = s.modelDir();
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (InputRow r : rows) {
            FlowField flow = pipeline.flow(Path.of(r.value(0)), Path.of(r.value(1)));
            int[] tileShape = pipeline.imageShape();
            ObjectNode o = JsonFields.object();
            o.put("model", model);
            o.put("frame1", r.value(0));
            o.put("frame2", r.value(1));
            o.setAll(ResultJson.flowStats(flow));
            o.put("tiles", pipeline.tiles(flow.height(), flow.width()).tiles().size());
            o.putArray("tile_shape").add(tileShape[0]).add(tileShape[1]);
            out.add(o);
        }
        return out;
    }

    @Override
    public Engine engine() {
        return pipeline.engine();
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
