package dev.perceiver.inference.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.perceiver.inference.LabelScore;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.inference.tokenizer.PaddedBatch;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.tasks.text.TextClassifier;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text classification with a {@link TextClassifier}: texts -> the {@code top_k} most probable labels with their
 * scores (softmax over the classes; sigmoid for a single-class model, as the Hugging Face pipeline does). Texts are
 * encoded with the tokenizer's special tokens and batched with right padding and a pad mask. A pipeline made by
 * {@link #load} owns its model, weights and tokenizer: one {@link #close} frees them.
 */
public final class TextClassificationPipeline implements AutoCloseable {
    /** Default number of texts per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private final TextClassifier model;
    private final Tokenizer tokenizer;
    private final String[] labels;
    private final int batchSize;
    private final ModelRunner runner;
    private final TextModelFolder<?> owned;

    /**
     * A pipeline whose forward passes run on libtorch.
     *
     * @param labels class names by index (from {@code id2label}), or null to name classes by their index
     * @param batchSize texts per forward pass, >= 1
     */
    public TextClassificationPipeline(TextClassifier model, Tokenizer tokenizer, String[] labels, int batchSize) {
        this(model, tokenizer, labels, batchSize, Engine.LIBTORCH, 1);
    }

    /**
     * A pipeline whose forward passes run on {@code engine} ({@link ModelRunners#open}); close it when done.
     *
     * @param labels class names by index (from {@code id2label}), or null to name classes by their index
     * @param batchSize texts per forward pass, >= 1
     * @param threads ONNX Runtime intra-op threads, in [1, 1024]
     */
    public TextClassificationPipeline(
            TextClassifier model, Tokenizer tokenizer, String[] labels, int batchSize, Engine engine, int threads) {
        this(model, tokenizer, labels, batchSize, engine, threads, null);
    }

    private TextClassificationPipeline(
            TextClassifier model,
            Tokenizer tokenizer,
            String[] labels,
            int batchSize,
            Engine engine,
            int threads,
            TextModelFolder<?> owned) {
        int classes = model.config().decoder().numClasses();
        if (labels != null && labels.length != classes) {
            throw new IllegalArgumentException("id2label has " + labels.length + " labels but the model has " + classes
                    + " classes (num_classes)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size (" + batchSize + ") must be >= 1");
        }
        int modelVocab = model.config().encoder().vocabSize();
        if (tokenizer.vocabSize() > modelVocab) {
            throw new IllegalArgumentException("tokenizer vocabulary (" + tokenizer.vocabSize()
                    + ") is larger than the model's vocab_size (" + modelVocab + ")");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.labels = labels == null ? null : labels.clone();
        this.batchSize = batchSize;
        // a pipeline that owns its model needs only its config once ONNX Runtime runs it
        this.runner = ModelRunners.open(model, engine, threads, owned != null);
        this.owned = owned;
    }

    /**
     * Loads a text classifier folder ({@link TextModelFolder}, labels from {@code id2label}) into a pipeline that owns
     * it, with {@value #DEFAULT_BATCH_SIZE} texts per forward pass on libtorch.
     *
     * @throws IOException for a missing or invalid folder
     * @throws dev.perceiver.model.io.WrongModelKindException for a folder of another model type
     */
    public static TextClassificationPipeline load(Path dir) throws IOException {
        return load(dir, DEFAULT_BATCH_SIZE, Engine.LIBTORCH, 1);
    }

    /**
     * As {@link #load(Path)}, with {@code batchSize} texts per forward pass (>= 1) on {@code engine}
     * ({@code threads} ONNX Runtime intra-op threads, in [1, 1024]).
     */
    public static TextClassificationPipeline load(Path dir, int batchSize, Engine engine, int threads)
            throws IOException {
        return ModelRunners.loadFallingBack(
                engine,
                e -> TextModelFolder.loadOwned(
                        dir,
                        null,
                        TextModelKinds.TEXT_CLASSIFIER,
                        f -> new TextClassificationPipeline(
                                f.model(), f.tokenizer(), f.labels(), batchSize, e, threads, f)));
    }

    /**
     * The model (owned by this pipeline when {@link #load} made it). When {@link #load} made it and the forward
     * passes run on ONNX Runtime, its libtorch weights were freed after the export: its config is readable, and a
     * use of its weights fails with a message saying so.
     */
    public TextClassifier model() {
        return model;
    }

    /** The tokenizer (owned by this pipeline when {@link #load} made it). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The engine of the forward passes. */
    public Engine engine() {
        return runner.engine();
    }

    /** Closes the engine's session, and the model, weights and tokenizer when {@link #load} made them. */
    @Override
    public void close() {
        runner.close();
        if (owned != null) {
            owned.close();
        }
    }

    /**
     * @param texts non-empty texts of at most max_seq_len tokens
     * @param topK labels per text, in [1, num_classes]
     * @return per text, the {@code top_k} labels, most probable first
     */
    public List<List<LabelScore>> classify(List<String> texts, int topK) {
        int classes = model.config().decoder().numClasses();
        if (topK < 1 || topK > classes) {
            throw new IllegalArgumentException("top_k (" + topK + ") must be in [1, " + classes + "] (num_classes)");
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("texts (0) must contain at least one text");
        }
        if (model.isTraining()) {
            throw new IllegalArgumentException("model is in training mode; call setTraining(false) first");
        }
        int maxLen = model.config().encoder().maxSeqLen();
        List<long[]> encoded = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            long[] ids = tokenizer.encode(texts.get(t), true);
            if (ids.length == 0) {
                throw new IllegalArgumentException("text " + t + " is empty after tokenization");
            }
            if (ids.length > maxLen) {
                throw new IllegalArgumentException("text " + t + " has " + ids.length
                        + " tokens, more than the model's max_seq_len (" + maxLen + ")");
            }
            encoded.add(ids);
        }
        List<List<LabelScore>> out = new ArrayList<>();
        for (int from = 0; from < encoded.size(); from += batchSize) {
            List<long[]> rows = encoded.subList(from, Math.min(encoded.size(), from + batchSize));
            PaddedBatch batch = PaddedBatch.of(rows, tokenizer.padTokenId(), PaddedBatch.Side.RIGHT);
            float[] logits;
            try (NDManager m = model.manager().newSubManager();
                    NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray l = runner.forward(batch.ids(m), batch.padMask(m)); // (b, classes)
                logits = l.toType(DataType.FLOAT32, false).toFloatArray();
            }
            for (int r = 0; r < rows.size(); r++) {
                float[] row = java.util.Arrays.copyOfRange(logits, r * classes, (r + 1) * classes);
                float[] scores =
                        classes == 1 ? new float[] {(float) (1.0 / (1.0 + Math.exp(-row[0])))} : TopK.softmax(row);
                List<LabelScore> best = new ArrayList<>();
                for (int c : TopK.indices(scores, topK)) {
                    best.add(new LabelScore(c, labels == null ? Integer.toString(c) : labels[c], scores[c]));
                }
                out.add(List.copyOf(best));
            }
        }
        return out;
    }
}
