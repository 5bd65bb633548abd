package dev.perceiver.inference.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.inference.tokenizer.PaddedBatch;
import dev.perceiver.inference.tokenizer.SpecialToken;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fill-mask with a {@link MaskedLanguageModel}: texts containing mask tokens -> for each masked position the
 * {@code top_k} most probable tokens with their softmax probabilities, and {@code top_k} filled texts. Texts are
 * encoded with the tokenizer's special tokens (as the Hugging Face fill-mask pipeline does) and batched with right
 * padding and a pad mask. {@code <mask>} in a text is read as the tokenizer's mask token. With the bytes tokenizer
 * one {@code [MASK]} stands for one UTF-8 byte, so a word of n bytes needs n masks. A pipeline made by {@link #load}
 * owns its model, weights and tokenizer: one {@link #close} frees them.
 */
public final class FillMaskPipeline implements AutoCloseable {
    /** Default number of texts per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private final MaskedLanguageModel model;
    private final Tokenizer tokenizer;
    private final int batchSize;
    private final ModelRunner runner;
    private final TextModelFolder<?> owned;

    /**
     * A pipeline whose forward passes run on libtorch.
     *
     * @param batchSize texts per forward pass, >= 1
     */
    public FillMaskPipeline(MaskedLanguageModel model, Tokenizer tokenizer, int batchSize) {
        this(model, tokenizer, batchSize, Engine.LIBTORCH, 1);
    }

    /**
     * A pipeline whose forward passes run on {@code engine} ({@link ModelRunners#open}); close it when done.
     *
     * @param batchSize texts per forward pass, >= 1
     * @param threads ONNX Runtime intra-op threads, in [1, 1024]
     */
    public FillMaskPipeline(MaskedLanguageModel model, Tokenizer tokenizer, int batchSize, Engine engine, int threads) {
        this(model, tokenizer, batchSize, engine, threads, null);
    }

    private FillMaskPipeline(
            MaskedLanguageModel model,
            Tokenizer tokenizer,
            int batchSize,
            Engine engine,
            int threads,
            TextModelFolder<?> owned) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size (" + batchSize + ") must be >= 1");
        }
        tokenizer.requireTokenId(SpecialToken.MASK, "fill-mask");
        int modelVocab = model.config().encoder().vocabSize();
        if (tokenizer.vocabSize() > modelVocab) {
            throw new IllegalArgumentException("tokenizer vocabulary (" + tokenizer.vocabSize()
                    + ") is larger than the model's vocab_size (" + modelVocab + ")");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.batchSize = batchSize;
        // a pipeline that owns its model needs only its config once ONNX Runtime runs it
        this.runner = ModelRunners.open(model, engine, threads, owned != null);
        this.owned = owned;
    }

    /**
     * Loads a masked language model folder ({@link TextModelFolder}) into a pipeline that owns it, with
     * {@value #DEFAULT_BATCH_SIZE} texts per forward pass on libtorch.
     *
     * @throws IOException for a missing or invalid folder
     * @throws dev.perceiver.model.io.WrongModelKindException for a folder of another model type
     * @throws IllegalArgumentException for a folder whose tokenizer has no mask token
     */
    public static FillMaskPipeline load(Path dir) throws IOException {
        return load(dir, DEFAULT_BATCH_SIZE, Engine.LIBTORCH, 1);
    }

    /**
     * As {@link #load(Path)}, with {@code batchSize} texts per forward pass (>= 1) on {@code engine}
     * ({@code threads} ONNX Runtime intra-op threads, in [1, 1024]).
     */
    public static FillMaskPipeline load(Path dir, int batchSize, Engine engine, int threads) throws IOException {
        return ModelRunners.loadFallingBack(
                engine,
                e -> TextModelFolder.loadOwned(
                        dir,
                        null,
                        TextModelKinds.MASKED_LANGUAGE_MODEL,
                        f -> new FillMaskPipeline(f.model(), f.tokenizer(), batchSize, e, threads, f)));
    }

    /**
     * The model (owned by this pipeline when {@link #load} made it). When {@link #load} made it and the forward
     * passes run on ONNX Runtime, its libtorch weights were freed after the export: its config is readable, and a
     * use of its weights fails with a message saying so.
     */
    public MaskedLanguageModel model() {
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
     * @param texts texts with at least one mask token each
     * @param topK candidates per masked position, in [1, vocab_size]
     * @return one result per text, in order
     */
    public List<FillMaskResult> fill(List<String> texts, int topK) {
        int vocab = model.config().decoder().vocabSize();
        if (topK < 1 || topK > vocab) {
            throw new IllegalArgumentException("top_k (" + topK + ") must be in [1, " + vocab + "] (vocab_size)");
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("texts (0) must contain at least one text");
        }
        if (model.isTraining()) {
            throw new IllegalArgumentException("model is in training mode; call setTraining(false) first");
        }
        long maskId = tokenizer.requireTokenId(SpecialToken.MASK, "fill-mask");
        String maskToken = tokenizer.token(SpecialToken.MASK).orElse(null);
        int maxLen = Math.min(
                model.config().encoder().maxSeqLen(), model.config().decoder().maxSeqLen());
        List<String> masked = new ArrayList<>();
        List<long[]> encoded = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            String text = maskToken == null ? texts.get(t) : texts.get(t).replace("<mask>", maskToken);
            long[] ids = tokenizer.encode(text, true);
            if (ids.length > maxLen) {
                throw new IllegalArgumentException("text " + t + " has " + ids.length
                        + " tokens, more than the model's max_seq_len (" + maxLen + ")");
            }
            boolean hasMask = false;
            for (long id : ids) {
                hasMask |= id == maskId;
            }
            if (!hasMask) {
                throw new IllegalArgumentException("text " + t + " ('" + abbreviate(texts.get(t))
                        + "') contains no mask token " + (maskToken == null ? "" : maskToken));
            }
            masked.add(text);
            encoded.add(ids);
        }
        List<FillMaskResult> out = new ArrayList<>();
        for (int from = 0; from < encoded.size(); from += batchSize) {
            int to = Math.min(encoded.size(), from + batchSize);
            out.addAll(fillBatch(masked.subList(from, to), encoded.subList(from, to), maskId, topK, vocab));
        }
        return out;
    }

    private List<FillMaskResult> fillBatch(List<String> texts, List<long[]> rows, long maskId, int topK, int vocab) {
        PaddedBatch batch = PaddedBatch.of(rows, tokenizer.padTokenId(), PaddedBatch.Side.RIGHT);
        int n = batch.length();
        List<long[]> positions = new ArrayList<>(); // (row, position) of every mask
        for (int r = 0; r < rows.size(); r++) {
            long[] ids = rows.get(r);
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == maskId) {
                    positions.add(new long[] {r, i});
                }
            }
        }
        float[] logits;
        try (NDManager m = model.manager().newSubManager();
                NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray all = runner.forward(batch.ids(m), batch.padMask(m)); // (b, n, vocab)
            long[] flatIndex = new long[positions.size()];
            for (int j = 0; j < flatIndex.length; j++) {
                flatIndex[j] = positions.get(j)[0] * n + positions.get(j)[1];
            }
            NDArray selected = all.reshape(-1, vocab).get(Tensors.owned(m, flatIndex, new Shape(flatIndex.length)));
            logits = selected.toType(DataType.FLOAT32, false).toFloatArray(); // (masks, vocab)
        }
        List<List<FillMaskResult.MaskPrediction>> perText = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            perText.add(new ArrayList<>());
        }
        for (int j = 0; j < positions.size(); j++) {
            float[] row = java.util.Arrays.copyOfRange(logits, j * vocab, (j + 1) * vocab);
            float[] probs = TopK.softmax(row);
            List<TokenScore> candidates = new ArrayList<>();
            for (int id : TopK.indices(probs, topK)) {
                candidates.add(new TokenScore(id, tokenText(id), probs[id]));
            }
            int r = (int) positions.get(j)[0];
            perText.get(r).add(new FillMaskResult.MaskPrediction((int) positions.get(j)[1], List.copyOf(candidates)));
        }
        List<FillMaskResult> out = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            List<String> filled = new ArrayList<>();
            for (int k = 0; k < topK; k++) {
                long[] ids = rows.get(r).clone();
                for (FillMaskResult.MaskPrediction p : perText.get(r)) {
                    ids[p.position()] = p.candidates().get(k).tokenId();
                }
                filled.add(tokenizer.decode(ids, true));
            }
            out.add(new FillMaskResult(texts.get(r), List.copyOf(perText.get(r)), List.copyOf(filled)));
        }
        return out;
    }

    private String tokenText(long id) {
        return id < tokenizer.vocabSize() ? tokenizer.decode(new long[] {id}, false) : "<" + id + ">";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
