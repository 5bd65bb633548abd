package dev.perceiver.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.tokenizer.PaddedBatch;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.nn.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * embed: the encoder's latents (N x D) of a text (a text model's folder: masked LM or text classifier) or an image
 * file (an image classifier's folder), as {@code latents}: the mean over the N latents (D floats) with pooling
 * {@code mean}, all N x D with {@code all}; {@code shape} gives the array's shape. Texts are encoded with special
 * tokens and right-padded within a batch with a pad mask, as the classify-text pipeline does. Runs on libtorch
 * whatever the engine setting (AUTO; ONNXRUNTIME is refused by {@link InferenceSettings}): the encoder alone has no
 * ONNX Runtime runner.
 */
final class EmbedPredictor implements RowPredictor {
    private final NDManager manager;
    private final PerceiverIO model;
    private final Tokenizer tokenizer;
    private final ImageClassificationPipeline images;
    private final boolean mean;
    private final String field;

    EmbedPredictor(InferenceSettings s) throws IOException {
        Path dir = Path.of(s.modelDir());
        mean = s.pooling().equals("mean");
        field = s.inputFields().get(0);
        if (field.equals("image")) {
            manager = null;
            tokenizer = null;
            images = ImageClassificationPipeline.load(dir, s.batchSize());
            model = images.model();
            return;
        }
        images = null;
        manager = NDManager.newBaseManager();
        try {
            ModelFolder.Loaded loaded = ModelFolder.load(dir, manager);
            if (!(loaded.model() instanceof PerceiverIO io)) {
                throw new IllegalArgumentException(
                        "model folder " + dir + " holds a " + loaded.kind().modelType()
                                + "; embed needs a Perceiver IO model with an encoder (mlm, text or image classifier)");
            }
            io.setTraining(false);
            model = io;
            tokenizer = Tokenizer.forModelFolder(dir);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public List<ObjectNode> predict(List<InputRow> rows) throws IOException {
        float[] latents;
        Shape shape;
        try (NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x;
            NDArray padMask = null;
            if (images != null) {
                int[] s = images.preprocessor().imageShape();
                int size = s[0] * s[1] * s[2];
                float[] batch = new float[rows.size() * size];
                for (int i = 0; i < rows.size(); i++) {
                    System.arraycopy(images.preprocessFile(Path.of(rows.get(i).value(0))), 0, batch, i * size, size);
                }
                x = Tensors.owned(m, batch, new Shape(rows.size(), s[0], s[1], s[2]));
            } else {
                List<long[]> ids = new ArrayList<>();
                for (InputRow r : rows) {
                    ids.add(tokenizer.encode(r.value(0), true));
                }
                PaddedBatch batch = PaddedBatch.of(ids, tokenizer.padTokenId(), PaddedBatch.Side.RIGHT);
                x = batch.ids(m);
                padMask = batch.padMask(m);
            }
            NDArray z = model.encoder().forward(x, padMask); // (b, N, D)
            if (mean) {
                z = z.mean(new int[] {1}); // (b, D)
            }
            shape = z.getShape();
            latents = z.toFloatArray();
        }
        return toJson(rows, latents, shape);
    }

    private List<ObjectNode> toJson(List<InputRow> rows, float[] latents, Shape shape) {
        int per = (int) (shape.size() / shape.get(0));
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ObjectNode o = JsonFields.object();
            o.put(field, rows.get(i).value(0));
            ArrayNode dims = o.putArray("shape");
            for (int d = 1; d < shape.dimension(); d++) {
                dims.add(shape.get(d));
            }
            ArrayNode values = o.putArray("latents");
            int cols = (int) shape.get(shape.dimension() - 1);
            ArrayNode row = values;
            for (int j = 0; j < per; j++) {
                if (!mean && j % cols == 0) {
                    row = values.addArray();
                }
                row.add(latents[i * per + j]);
            }
            out.add(o);
        }
        return out;
    }

    @Override
    public Engine engine() {
        return Engine.LIBTORCH;
    }

    @Override
    public void close() {
        if (images != null) {
            images.close();
        } else {
            tokenizer.close();
            manager.close();
        }
    }
}
