package dev.perceiver.inference.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Image classification: images -> the top-k classes with softmax probabilities. Images are preprocessed by an
 * {@link ImagePreprocessor} to the classifier's (h, w, c), run in batches of at most {@code batchSize}, and
 * labelled from {@code id2label} of the model's config.json (class index as text where it has no entry).
 * A pipeline made by {@link #load} owns its model and must be closed.
 */
public final class ImageClassificationPipeline implements AutoCloseable {
    /** Default number of images per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 16;

    private final ImageClassifier model;
    private final String[] labels;
    private final ImagePreprocessor preprocessor;
    private final int batchSize;
    private final NDManager owned;
    private final ModelRunner runner;

    /**
     * A pipeline over a model the caller owns.
     *
     * @param labels one per class (index order)
     * @param batchSize images per forward pass, >= 1
     */
    public ImageClassificationPipeline(
            ImageClassifier model, String[] labels, ImagePreprocessor preprocessor, int batchSize) {
        this(model, labels, preprocessor, batchSize, null, Engine.LIBTORCH, 1);
    }

    /**
     * A pipeline over a model the caller owns, whose forward passes run on {@code engine}; close it when done.
     *
     * @param threads ONNX Runtime intra-op threads, in [1, 1024]
     */
    public ImageClassificationPipeline(
            ImageClassifier model,
            String[] labels,
            ImagePreprocessor preprocessor,
            int batchSize,
            Engine engine,
            int threads) {
        this(model, labels, preprocessor, batchSize, null, engine, threads);
    }

    private ImageClassificationPipeline(
            ImageClassifier model,
            String[] labels,
            ImagePreprocessor preprocessor,
            int batchSize,
            NDManager owned,
            Engine engine,
            int threads) {
        int numClasses = model.config().decoder().numClasses();
        if (labels.length != numClasses) {
            throw new IllegalArgumentException(
                    "labels (" + labels.length + ") must be one per class (" + numClasses + ")");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size (" + batchSize + ") must be >= 1");
        }
        if (!Arrays.equals(preprocessor.imageShape(), model.config().encoder().imageShape())) {
            throw new IllegalArgumentException("preprocessor image shape " + Arrays.toString(preprocessor.imageShape())
                    + " must equal the model's image_shape "
                    + Arrays.toString(model.config().encoder().imageShape()));
        }
        this.model = model;
        this.labels = labels.clone();
        this.preprocessor = preprocessor;
        this.batchSize = batchSize;
        this.owned = owned;
        // a pipeline that owns its model needs only its config once ONNX Runtime runs it
        this.runner = ModelRunners.open(model, engine, threads, owned != null);
    }

    /** The engine of the forward passes. */
    public Engine engine() {
        return runner.engine();
    }

    /**
     * Loads an image classifier folder into a pipeline that owns it: model, labels from {@code id2label}, processor
     * from {@code preprocessor_config.json} or the defaults for its {@code image_shape}
     * ({@link ImageProcessorConfig#defaults}); {@value #DEFAULT_BATCH_SIZE} images per forward pass on libtorch.
     *
     * @throws IOException for a missing or invalid folder
     * @throws WrongModelKindException for a folder of another model type
     */
    public static ImageClassificationPipeline load(Path dir) throws IOException {
        return load(dir, DEFAULT_BATCH_SIZE);
    }

    /** As {@link #load(Path)}, with {@code batchSize} images per forward pass (>= 1). */
    public static ImageClassificationPipeline load(Path dir, int batchSize) throws IOException {
        return load(dir, batchSize, Engine.LIBTORCH, 1);
    }

    /**
     * As {@link #load(Path, int)}, with the forward passes on {@code engine} ({@code threads} ONNX Runtime
     * intra-op threads, in [1, 1024]).
     */
    public static ImageClassificationPipeline load(Path dir, int batchSize, Engine engine, int threads)
            throws IOException {
        return ModelRunners.loadFallingBack(engine, e -> loadOn(dir, batchSize, e, threads));
    }

    private static ImageClassificationPipeline loadOn(Path dir, int batchSize, Engine engine, int threads)
            throws IOException {
        NDManager manager = NDManager.newBaseManager();
        try {
            ModelFolder.Loaded loaded = ModelFolder.load(dir, manager);
            WrongModelKindException.require(dir, loaded.kind(), VisionModelKinds.IMAGE_CLASSIFIER, null);
            ImageClassifier model = (ImageClassifier) loaded.model();
            int[] shape = model.config().encoder().imageShape();
            try {
                ImageProcessorConfig.requireImageShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IOException(dir.resolve(ModelFolder.CONFIG) + ": " + e.getMessage(), e);
            }
            ImagePreprocessor pre;
            try {
                pre = new ImagePreprocessor(ImageProcessorConfig.read(dir, shape), shape);
            } catch (IllegalArgumentException e) {
                throw new IOException(dir.resolve(ImageProcessorConfig.FILE) + ": " + e.getMessage(), e);
            }
            String[] labels = labels(
                    loaded.config().get("id2label"), model.config().decoder().numClasses());
            return new ImageClassificationPipeline(model, labels, pre, batchSize, manager, engine, threads);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Labels 0..n-1 from an {@code id2label} object; indices as text where it has no entry. */
    static String[] labels(JsonNode id2label, int numClasses) {
        String[] out = new String[numClasses];
        for (int i = 0; i < numClasses; i++) {
            JsonNode v = id2label == null ? null : id2label.get(Integer.toString(i));
            out[i] = v == null || v.isNull() ? Integer.toString(i) : v.asText();
        }
        return out;
    }

    /** Number of classes. */
    public int numClasses() {
        return labels.length;
    }

    /** Class labels in index order. */
    public String[] labels() {
        return labels.clone();
    }

    /**
     * The classifier (owned by this pipeline when {@link #load} made it). When {@link #load} made it and the forward
     * passes run on ONNX Runtime, its libtorch weights were freed after the export: its config is readable, and a
     * use of its weights fails with a message saying so.
     */
    public ImageClassifier model() {
        return model;
    }

    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /**
     * Classifies image files (PNG, JPEG, ...), one result list per file, best first.
     *
     * @param topK classes per image, 1..num_classes
     * @throws IOException naming a file that cannot be read
     * @throws IllegalArgumentException naming a file whose size does not fit the model
     */
    public List<List<LabelScore>> classifyFiles(List<Path> files, int topK) throws IOException {
        checkTopK(topK);
        List<List<LabelScore>> out = new ArrayList<>();
        for (int start = 0; start < files.size(); start += batchSize) {
            List<Path> chunk = files.subList(start, Math.min(files.size(), start + batchSize));
            List<float[]> inputs = new ArrayList<>();
            for (Path f : chunk) {
                inputs.add(preprocessFile(f));
            }
            out.addAll(topK(logits(inputs), topK));
        }
        return out;
    }

    /**
     * The result for one file of {@link #classifyEach}: its classes, best first, or the error that stopped it.
     *
     * @param labels the top classes, or null when {@code error} is set
     * @param error the message naming the file, or null
     */
    public record FileResult(Path file, List<LabelScore> labels, String error) {}

    /**
     * Classifies image files like {@link #classifyFiles}, but a file that cannot be read or does not fit the model
     * gives an error result and the others are classified.
     *
     * @param topK classes per image, 1..num_classes
     */
    public List<FileResult> classifyEach(List<Path> files, int topK) {
        checkTopK(topK);
        List<FileResult> out = new ArrayList<>();
        for (int start = 0; start < files.size(); start += batchSize) {
            List<Path> chunk = files.subList(start, Math.min(files.size(), start + batchSize));
            List<float[]> inputs = new ArrayList<>();
            String[] errors = new String[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                try {
                    inputs.add(preprocessFile(chunk.get(i)));
                } catch (IOException | IllegalArgumentException e) {
                    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                    errors[i] = m.contains(chunk.get(i).toString()) ? m : chunk.get(i) + ": " + m;
                }
            }
            List<List<LabelScore>> labels = inputs.isEmpty() ? List.of() : topK(logits(inputs), topK);
            int next = 0;
            for (int i = 0; i < chunk.size(); i++) {
                out.add(
                        errors[i] != null
                                ? new FileResult(chunk.get(i), null, errors[i])
                                : new FileResult(chunk.get(i), labels.get(next++), null));
            }
        }
        return out;
    }

    /** Classifies decoded images, one result list per image, best first; {@code topK} in 1..num_classes. */
    public List<List<LabelScore>> classify(List<BufferedImage> images, int topK) {
        checkTopK(topK);
        List<List<LabelScore>> out = new ArrayList<>();
        for (int start = 0; start < images.size(); start += batchSize) {
            List<float[]> inputs = new ArrayList<>();
            for (int i = start; i < Math.min(images.size(), start + batchSize); i++) {
                try {
                    inputs.add(preprocessor.preprocess(images.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("image " + i + ": " + e.getMessage(), e);
                }
            }
            out.addAll(topK(logits(inputs), topK));
        }
        return out;
    }

    /** Reads and preprocesses one file to (h, w, c) floats; errors name the file. */
    public float[] preprocessFile(Path file) throws IOException {
        BufferedImage image = Images.read(file);
        try {
            return preprocessor.preprocess(image);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Logits of preprocessed images: each (h, w, c) floats -> (n, num_classes) rows.
     */
    public float[][] logits(List<float[]> inputs) {
        int[] s = preprocessor.imageShape();
        int size = s[0] * s[1] * s[2];
        float[][] out = new float[inputs.size()][];
        for (int start = 0; start < inputs.size(); start += batchSize) {
            int n = Math.min(batchSize, inputs.size() - start);
            float[] batch = new float[n * size];
            for (int i = 0; i < n; i++) {
                float[] x = inputs.get(start + i);
                if (x.length != size) {
                    throw new IllegalArgumentException(
                            "input " + (start + i) + " has " + x.length + " values, must be h * w * c = " + size);
                }
                System.arraycopy(x, 0, batch, i * size, size);
            }
            float[] flat;
            try (NDManager m = NDManager.newBaseManager();
                    NDScope ignored = new NDScope()) {
                NDArray logits = runner.forward(Tensors.owned(m, batch, new Shape(n, s[0], s[1], s[2])), null);
                flat = logits.toFloatArray();
            }
            for (int i = 0; i < n; i++) {
                out[start + i] = Arrays.copyOfRange(flat, i * labels.length, (i + 1) * labels.length);
            }
        }
        return out;
    }

    /** Softmax (in double) of one row of logits. */
    public static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private List<List<LabelScore>> topK(float[][] logits, int k) {
        List<List<LabelScore>> out = new ArrayList<>();
        for (float[] row : logits) {
            double[] p = softmax(row);
            List<LabelScore> all = new ArrayList<>();
            for (int i = 0; i < p.length; i++) {
                all.add(new LabelScore(i, labels[i], p[i]));
            }
            all.sort(Comparator.comparingDouble(LabelScore::score).reversed().thenComparingInt(LabelScore::index));
            out.add(List.copyOf(all.subList(0, k)));
        }
        return out;
    }

    private void checkTopK(int topK) {
        if (topK < 1 || topK > labels.length) {
            throw new IllegalArgumentException(
                    "top_k (" + topK + ") must be in [1, " + labels.length + "] (the model's number of classes)");
        }
    }

    /** Closes the engine's session, and the model if this pipeline loaded it. */
    @Override
    public void close() {
        runner.close();
        if (owned != null) {
            owned.close();
        }
    }
}
