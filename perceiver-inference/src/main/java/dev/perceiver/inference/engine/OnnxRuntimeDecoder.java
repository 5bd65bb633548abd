package dev.perceiver.inference.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.perceiver.inference.decoding.CachedDecoder;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.GenerationWindow;
import dev.perceiver.inference.onnx.OnnxExport;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.blocks.MultiHeadAttention;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cached decoding of a Perceiver AR model on ONNX Runtime: the model's cached forward pass exported as one graph
 * ({@link OnnxExport#exportCached}) runs the prompt pass (nothing cached) and every one-token step, each one session
 * call. The keys and values a call returns (ONNX Runtime's output tensors) are the next call's inputs as they are,
 * without a copy through Java; only when a cache outgrows the window (the reference's cut before a step, see
 * {@link GenerationWindow}) are its right-most positions copied into a new tensor. The positions follow the frame of
 * {@link dev.perceiver.model.DecodingCache}: rotary position {@code t - pad_r} (at least 0), absolute position counted
 * from the first real token inside the window.
 *
 * <p>One ONNX Runtime session serves any number of generations at the same time (each with its own {@link Session}).
 */
final class OnnxRuntimeDecoder extends OnnxRuntimeSession implements CausalDecoderRunner {
    private final CausalSequenceModel model;
    private final List<String> layers;
    private final long[][] headShapes; // per layer: heads, key channels, value channels

    private OnnxRuntimeDecoder(CausalSequenceModel model, OrtSession session) {
        super(session);
        this.model = model;
        this.layers = OnnxExport.cachedLayerNames(model);
        headShapes = new long[layers.size()][];
        List<MultiHeadAttention> attentions = OnnxExport.cachedAttentions(model);
        for (int i = 0; i < layers.size(); i++) {
            MultiHeadAttention m = attentions.get(i);
            long h = m.numHeads();
            headShapes[i] = new long[] {h, m.numQkChannels() / h, m.numVChannels() / h};
        }
    }

    /**
     * Exports the cached forward pass of {@code model}, runs {@code afterExport} and opens a session on the export
     * with {@code threads} threads.
     *
     * @throws OnnxSessions.Unavailable when the export or the session fails
     */
    static OnnxRuntimeDecoder open(
            CausalSequenceModel model, int threads, Runnable afterExport, OnnxSessions.Settings settings)
            throws OnnxSessions.Unavailable {
        OrtSession session = OnnxSessions.open(
                file -> OnnxExport.exportCached(model, file, settings.maxExportBytes(), OnnxExport.Durability.SCRATCH),
                afterExport,
                threads,
                settings);
        try {
            return new OnnxRuntimeDecoder(model, session);
        } catch (RuntimeException e) {
            try {
                session.close();
            } catch (OrtException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    @Override
    public CausalSequenceModel model() {
        return model;
    }

    @Override
    public CachedDecoder.Session open(
            GenerationWindow window, GenerationConfig config, int batchSize, int promptLength) {
        return new Generation(window, batchSize);
    }

    /** The caches and positions of one generation. */
    private final class Generation implements CachedDecoder.Session {
        private final GenerationWindow window;
        private final int batch;
        /** Per layer: keys and values (b, h, cached, d), from the last call's result or cut copies. */
        private final OnnxTensor[] past;
        /** Tensors this generation made (cut copies, the empty caches), closed when replaced. */
        private final boolean[] ownPast;

        private OrtSession.Result last;
        private long[] padding;
        private long seen;
        private long crossCached;
        private long selfCached;

        Generation(GenerationWindow window, int batch) {
            this.window = window;
            this.batch = batch;
            past = new OnnxTensor[2 * layers.size()];
            ownPast = new boolean[past.length];
        }

        @Override
        public float[][] next(long[][] ids, boolean[][] attentionMask, int length) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                CallInputs call = seen == 0 ? promptCall(ids, attentionMask, length) : stepCall(length);
                int n = call.n();
                long prefix = call.prefix();
                long[] shape = {batch, n};
                inputs.put("x", longs(columns(ids, length - n, length), shape));
                inputs.put("abs_pos", longs(call.abs(), shape));
                inputs.put("rot_pos", longs(call.rot(), shape));
                inputs.put("pad_mask", padMask(attentionMask, call.windowFrom(), length));
                inputs.put("prefix_len", OnnxTensor.createTensor(env, prefix));
                for (int l = 0; l < layers.size(); l++) {
                    inputs.put("past_" + layers.get(l) + "_k", past[2 * l]);
                    inputs.put("past_" + layers.get(l) + "_v", past[2 * l + 1]);
                }
                OrtSession.Result result = session.run(inputs);
                float[][] logits;
                try {
                    logits = logits((OnnxTensor) result.get(0));
                } catch (RuntimeException e) {
                    result.close();
                    throw e;
                }
                release();
                last = result;
                for (int l = 0; l < layers.size(); l++) {
                    past[2 * l] = present(result, l, "_k");
                    past[2 * l + 1] = present(result, l, "_v");
                }
                if (seen == 0) {
                    crossCached = n;
                    selfCached = n - prefix;
                } else {
                    crossCached += 1;
                    selfCached += 1;
                }
                seen += n;
                return logits;
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
            } finally {
                for (Map.Entry<String, OnnxTensor> e : inputs.entrySet()) {
                    if (!e.getKey().startsWith("past_")) {
                        e.getValue().close();
                    }
                }
            }
        }

        /** The prompt pass: every prompt token, positions shifted by the left padding, empty caches. */
        private CallInputs promptCall(long[][] ids, boolean[][] attentionMask, int n) throws OrtException {
            padding = new long[batch];
            long[] abs = new long[batch * n];
            for (int r = 0; r < batch; r++) {
                for (int i = 0; i < n; i++) {
                    padding[r] += attentionMask[r][i] ? 0 : 1;
                    long id = ids[r][i];
                    if (id < 0 || id >= model.config().vocabSize()) {
                        throw new IllegalArgumentException("token id (" + id + ") out of range [0, "
                                + model.config().vocabSize() + ") (vocab_size)");
                    }
                }
                for (int i = 0; i < n; i++) {
                    abs[r * n + i] = Math.max(0, i - padding[r]);
                }
            }
            for (int l = 0; l < layers.size(); l++) {
                setOwn(2 * l, emptyCache(l, 1));
                setOwn(2 * l + 1, emptyCache(l, 2));
            }
            return new CallInputs(n, window.initialPrefixLen(), abs, abs, 0);
        }

        /** A one-token step after cutting the caches to the window; positions in the cache's frame. */
        private CallInputs stepCall(int length) throws OrtException {
            cut();
            long[] abs = new long[batch];
            long[] rot = new long[batch];
            long windowStart = seen - crossCached;
            for (int r = 0; r < batch; r++) {
                abs[r] = Math.max(0, seen - Math.max(windowStart, padding[r]));
                rot[r] = Math.max(0, seen - padding[r]);
            }
            return new CallInputs(1, 0, abs, rot, (int) (length - crossCached - 1));
        }

        private OnnxTensor present(OrtSession.Result result, int layer, String kind) {
            OnnxValue v = result.get("present_" + layers.get(layer) + kind)
                    .orElseThrow(() -> new IllegalStateException(
                            "the cached graph has no output present_" + layers.get(layer) + kind));
            return (OnnxTensor) v;
        }

        /** Cuts the caches to the window before a step: cross-attention to max_seq_len - 1, self to max_latents - 1. */
        private void cut() throws OrtException {
            long maxCross = window.maxCrossAttentionCache();
            long maxSelf = window.maxSelfAttentionCache();
            for (int l = 0; l < layers.size(); l++) {
                long cached = l == 0 ? crossCached : selfCached;
                long keep = l == 0 ? maxCross : maxSelf;
                if (cached > keep) {
                    setOwn(2 * l, lastPositions(past[2 * l], keep));
                    setOwn(2 * l + 1, lastPositions(past[2 * l + 1], keep));
                }
            }
            crossCached = Math.min(crossCached, maxCross);
            selfCached = Math.min(selfCached, maxSelf);
        }

        /** A copy of the right-most {@code keep} positions of a cache (b, h, cached, d). */
        private OnnxTensor lastPositions(OnnxTensor t, long keep) throws OrtException {
            long[] s = t.getInfo().getShape();
            FloatBuffer all = t.getFloatBuffer();
            int rows = (int) (s[0] * s[1]);
            int d = (int) s[3];
            int from = (int) (s[2] - keep);
            FloatBuffer out = direct(4L * rows * keep * d).asFloatBuffer();
            float[] row = new float[(int) (keep * d)];
            for (int r = 0; r < rows; r++) {
                all.position((int) ((r * s[2] + from) * d));
                all.get(row);
                out.put(row);
            }
            out.rewind();
            return OnnxTensor.createTensor(env, out, new long[] {s[0], s[1], keep, s[3]});
        }

        /** An empty cache (b, h, 0, d) of layer {@code l}; {@code which} 1 = keys, 2 = values. */
        private OnnxTensor emptyCache(int l, int which) throws OrtException {
            return OnnxTensor.createTensor(
                    env, direct(0).asFloatBuffer(), new long[] {batch, headShapes[l][0], 0, headShapes[l][which]});
        }

        private void setOwn(int i, OnnxTensor t) {
            if (ownPast[i] && past[i] != null) {
                past[i].close();
            }
            past[i] = t;
            ownPast[i] = true;
        }

        /** Closes the last result and the own tensors (the inputs of the call that just ran). */
        private void release() {
            for (int i = 0; i < past.length; i++) {
                if (ownPast[i] && past[i] != null) {
                    past[i].close();
                }
                past[i] = null;
                ownPast[i] = false;
            }
            if (last != null) {
                last.close();
                last = null;
            }
        }

        private OnnxTensor longs(long[] values, long[] shape) throws OrtException {
            LongBuffer b = direct(values.length * 8L).asLongBuffer();
            b.put(values).rewind();
            return OnnxTensor.createTensor(env, b, shape);
        }

        private OnnxTensor padMask(boolean[][] attentionMask, int from, int to) throws OrtException {
            int w = to - from;
            ByteBuffer b = direct((long) batch * w);
            for (int r = 0; r < batch; r++) {
                for (int i = from; i < to; i++) {
                    b.put((byte) (attentionMask[r][i] ? 0 : 1));
                }
            }
            b.rewind();
            return OnnxTensor.createTensor(env, b, new long[] {batch, w}, ai.onnxruntime.OnnxJavaType.BOOL);
        }

        private float[][] logits(OnnxTensor t) {
            FloatBuffer f = t.getFloatBuffer();
            int v = (int) t.getInfo().getShape()[2];
            float[][] out = new float[batch][v];
            for (int r = 0; r < batch; r++) {
                f.get(out[r]);
            }
            return out;
        }

        @Override
        public void close() {
            release();
        }
    }

    /**
     * What one call feeds besides the caches: n new tokens of which {@code prefix} are prefix positions, their
     * absolute and rotary positions (b * n), and the first column of the pad mask's window.
     */
    private record CallInputs(int n, long prefix, long[] abs, long[] rot, int windowFrom) {}

    /** Token ids of columns [from, to), row-major. */
    private static long[] columns(long[][] ids, int from, int to) {
        int w = to - from;
        long[] flat = new long[ids.length * w];
        for (int r = 0; r < ids.length; r++) {
            System.arraycopy(ids[r], from, flat, r * w, w);
        }
        return flat;
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }
}
