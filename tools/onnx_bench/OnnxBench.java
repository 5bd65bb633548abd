// Side-by-side timing of libtorch and ONNX Runtime for the task models export-onnx learned last (issue 14).
// Run under the shared lock from the repository root, after ./perceiver has built the jar:
//   flock /tmp/perceiver-mvn.lock java -cp "perceiver-cli/target/perceiver-cli.jar:$(cat perceiver-cli/target/classpath.txt)" \
//       tools/onnx_bench/OnnxBench.java flow|generate ROUNDS [H W]
// flow: one forward of the optical-flow architecture (deepmind/optical-flow-perceiver widths, 2048 latents x 512
//   channels, 24 self-attention layers) on an (H, W) tile (default 92 x 124, a quarter of the published 368 x 496 per side), batch 1,
//   random weights and input; libtorch's forward pass vs ONNX Runtime on the exported graph, 2 threads.
// generate: the clm-generate model (WORKLOADS.md), greedy generation of 64 tokens from a 512-token prompt,
//   num_latents 1 at the start (one more latent per step): the kv-cache decoding on libtorch vs a kv-cache-free loop of
//   full-sequence forward passes on ONNX Runtime (prefix_len = n - num_latents, argmax of the last position).
// sam: a model of the krasserm/perceiver-ar-sam-giant-midi architecture (vocab 389, 768 channels, 8 heads, 18
//   self-attention layers, max_latents 2048, max_seq_len 6144; random weights), greedy generation of NEW tokens
//   (default 32) from a PROMPT-token prompt (default 1024), num_latents 1 at the start (generate-audio's default for
//   prompts up to max_prefix_len): kv-cache decoding on libtorch vs kv-cache decoding on ONNX Runtime
//   (ModelRunners.openDecoder), 2 threads; arguments: sam ROUNDS [PROMPT NEW].
// sam-steps: the sam model and prompt, one greedy generation of NEW tokens (default 1024) per engine and round
//   (libtorch on a serial worker, as generate-audio runs it, then ONNX Runtime with 2 threads), after an 8-token
//   warm-up; the step listener's time stamps give, at 64, 256, 1024, ... generated tokens, the seconds since the
//   start (prompt pass included), tokens/s, and the mean milliseconds of the last 64 steps (the per-step cost at that
//   length); arguments: sam-steps ROUNDS [PROMPT NEW].
// sam-profile: the sam model's cached graph (OnnxExport.exportCached) run with ONNX Runtime's API and its profiler
//   (2 threads): the prompt pass and NEW - 1 greedy steps (batch 1, nothing cut from the caches); prints per operator
//   type the mean microseconds per step over the first and the last 64 steps; arguments: sam-profile 1 [PROMPT NEW].
// Each round times every side (one warm-up, then REPS repetitions); prints seconds per repetition and the best.
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.decoding.CausalGenerator;
import dev.perceiver.inference.decoding.GenerationConfig;
import dev.perceiver.inference.decoding.PromptBatch;
import dev.perceiver.inference.engine.CausalModelRunner;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.text.CausalLanguageModel;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

public class OnnxBench {
    static final int REPS = 3;

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[1]);
        try (NDManager m = NDManager.newBaseManager()) {
            if (args[0].equals("flow")) {
                flow(m, rounds, args.length > 2 ? Integer.parseInt(args[2]) : 92, args.length > 3 ? Integer.parseInt(args[3]) : 124);
            } else if (args[0].equals("sam-profile")) {
                samProfile(m, args.length > 2 ? Integer.parseInt(args[2]) : 1024, args.length > 3 ? Integer.parseInt(args[3]) : 1024);
            } else if (args[0].equals("sam-steps")) {
                samSteps(m, rounds, args.length > 2 ? Integer.parseInt(args[2]) : 1024, args.length > 3 ? Integer.parseInt(args[3]) : 1024);
            } else if (args[0].equals("sam")) {
                sam(m, rounds, args.length > 2 ? Integer.parseInt(args[2]) : 1024, args.length > 3 ? Integer.parseInt(args[3]) : 32);
            } else {
                generate(m, rounds);
            }
        }
    }

    static void flow(NDManager m, int rounds, int h, int w) {
        String json = """
                {"encoder": {"image_shape": [H, W], "num_patch_input_channels": 27, "num_patch_hidden_channels": 64,
                  "num_frequency_bands": 64, "num_cross_attention_heads": 1, "num_self_attention_heads": 16,
                  "num_self_attention_blocks": 1, "num_self_attention_layers_per_block": 24,
                  "num_cross_attention_layers": 1},
                 "decoder": {"image_shape": [H, W], "num_cross_attention_heads": 1, "rescale_factor": 100.0},
                 "num_latents": 2048, "num_latent_channels": 512}"""
                .replace("H", Integer.toString(h))
                .replace("W", Integer.toString(w));
        OpticalFlow model = VisionModelKinds.OPTICAL_FLOW.create(
                m, VisionModelKinds.OPTICAL_FLOW.readConfig(ConfigJson.parse(json)));
        model.setTraining(false);
        Shape shape = new Shape(1, 2, 27, h, w);
        float[] data = new float[(int) shape.size()];
        Random r = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat() * 2 - 1;
        }
        try (ModelRunner ort = ModelRunners.open(model, Engine.ONNXRUNTIME, 2)) {
            // every call in a sub-manager and a scope of its own (see inSubManager)
            try (NDManager sub = m.newSubManager();
                    NDScope scope = new NDScope()) {
                NDArray x = Tensors.owned(sub, data, shape);
                float diff = ort.forward(x, null).sub(model.forward(x)).abs().max().getFloat();
                System.out.println("flow: max |ort - libtorch| = " + diff);
            }
            for (int round = 1; round <= rounds; round++) {
                time("flow libtorch round " + round, () -> inSubManager(m, data, shape, model::forward));
                time("flow onnxruntime round " + round, () -> inSubManager(m, data, shape, x -> ort.forward(x, null)));
            }
        }
    }

    static float inSubManager(NDManager m, float[] data, Shape shape, java.util.function.Function<NDArray, NDArray> f) {
        // a scope as well as a sub-manager: arrays computed from parameters alone belong to the model's manager,
        // and only the scope frees them after the call (without it each flow call left ~150 MB behind)
        try (NDManager sub = m.newSubManager();
                NDScope scope = new NDScope()) {
            return f.apply(Tensors.owned(sub, data, shape)).getFloat(0, 0, 0, 0);
        }
    }

    static void generate(NDManager m, int rounds) {
        PerceiverARConfig config = PerceiverARConfig.builder()
                .vocabSize(262)
                .maxSeqLen(1024)
                .maxLatents(256)
                .numChannels(256)
                .numHeads(8)
                .numSelfAttentionLayers(6)
                .crossAttentionDropout(0.5)
                .outputNorm(true)
                .build();
        CausalLanguageModel model = new CausalLanguageModel(m, config);
        model.setTraining(false);
        Random r = new Random(1);
        long[] prompt = new long[512];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 6 + r.nextInt(256);
        }
        int newTokens = 64;
        CausalGenerator generator = new CausalGenerator(model);
        PromptBatch batch = PromptBatch.leftPadded(List.of(prompt), 0);
        GenerationConfig greedy = GenerationConfig.greedy(newTokens).withNumLatents(1);
        try (CausalModelRunner ort = ModelRunners.openCausal(model, Engine.ONNXRUNTIME, 2)) {
            long[] cached = generator.generate(batch, greedy).sequences()[0];
            long[] full = fullForwardLoop(m, ort, prompt, newTokens);
            System.out.println("generate: same tokens = " + Arrays.equals(cached, full));
            for (int round = 1; round <= rounds; round++) {
                time("generate libtorch kv cache round " + round, () -> generator.generate(batch, greedy));
                time("generate onnxruntime full forward round " + round,
                        () -> fullForwardLoop(m, ort, prompt, newTokens));
            }
        }
        System.out.println("(tokens/s = " + newTokens + " / seconds)");
    }

    static void samSteps(NDManager m, int rounds, int promptLen, int newTokens) {
        dev.perceiver.tasks.audio.SymbolicAudioModel model = samModel(m);
        PromptBatch batch = PromptBatch.leftPadded(List.of(samPrompt(promptLen)), 0);
        CausalGenerator libtorch = new CausalGenerator(model);
        try (dev.perceiver.inference.engine.CausalDecoderRunner ort = ModelRunners.openDecoder(model, Engine.ONNXRUNTIME, 2);
                dev.perceiver.nn.EngineSetup.Applied engine =
                        dev.perceiver.nn.EngineSetup.builder().serialWorkers(1).build().apply()) {
            CausalGenerator onnx = new CausalGenerator(model, null, ort);
            GenerationConfig warmUp = GenerationConfig.greedy(8).withNumLatents(1);
            call(engine, () -> libtorch.generate(batch, warmUp));
            onnx.generate(batch, warmUp);
            GenerationConfig greedy = GenerationConfig.greedy(newTokens).withNumLatents(1);
            long[][] tokens = new long[2][];
            for (int round = 1; round <= rounds; round++) {
                tokens[0] = steps("sam-steps libtorch (serial worker) round " + round, newTokens,
                        l -> (long[]) call(engine, () -> libtorch.generate(batch, greedy, false, l).sequences()[0]));
                tokens[1] = steps("sam-steps onnxruntime (2 threads) round " + round, newTokens,
                        l -> onnx.generate(batch, greedy, false, l).sequences()[0]);
                System.out.println("sam-steps: same tokens = " + Arrays.equals(tokens[0], tokens[1]));
            }
        }
    }

    static void samProfile(NDManager m, int promptLen, int newTokens) throws Exception {
        dev.perceiver.tasks.audio.SymbolicAudioModel model = samModel(m);
        long[] prompt = samPrompt(promptLen);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("sam-cached-", ".onnx");
        dev.perceiver.inference.onnx.OnnxExport.exportCached(model, file);
        List<String> layers = dev.perceiver.inference.onnx.OnnxExport.cachedLayerNames(model);
        List<dev.perceiver.model.blocks.MultiHeadAttention> attentions =
                dev.perceiver.inference.onnx.OnnxExport.cachedAttentions(model);
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        String profile;
        try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.enableProfiling(file.toString() + "-profile");
            try (ai.onnxruntime.OrtSession s = env.createSession(file.toString(), o)) {
                java.util.Map<String, ai.onnxruntime.OnnxTensor> past = new java.util.HashMap<>();
                for (int l = 0; l < layers.size(); l++) {
                    long h = attentions.get(l).numHeads();
                    long[] shape = {1, h, 0, attentions.get(l).numQkChannels() / h};
                    past.put("past_" + layers.get(l) + "_k", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.allocate(0), shape));
                    shape = new long[] {1, h, 0, attentions.get(l).numVChannels() / h};
                    past.put("past_" + layers.get(l) + "_v", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.allocate(0), shape));
                }
                ai.onnxruntime.OrtSession.Result last = null;
                long next = 0;
                for (int step = 0; step < newTokens; step++) {
                    int from = step == 0 ? 0 : promptLen + step - 1;
                    int to = promptLen + step;
                    long[] x = new long[to - from];
                    long[] pos = new long[to - from];
                    for (int t = from; t < to; t++) {
                        x[t - from] = step == 0 ? prompt[t] : next;
                        pos[t - from] = t;
                    }
                    java.util.Map<String, ai.onnxruntime.OnnxTensor> in = new java.util.HashMap<>(past);
                    in.put("x", ai.onnxruntime.OnnxTensor.createTensor(env, new long[][] {x}));
                    in.put("abs_pos", ai.onnxruntime.OnnxTensor.createTensor(env, new long[][] {pos}));
                    in.put("rot_pos", ai.onnxruntime.OnnxTensor.createTensor(env, new long[][] {pos}));
                    in.put("pad_mask", ai.onnxruntime.OnnxTensor.createTensor(env, new boolean[1][to]));
                    in.put("prefix_len", ai.onnxruntime.OnnxTensor.createTensor(env, step == 0 ? (long) promptLen - 1 : 0L));
                    ai.onnxruntime.OrtSession.Result r = s.run(in);
                    for (String k : List.of("x", "abs_pos", "rot_pos", "pad_mask", "prefix_len")) {
                        in.get(k).close();
                    }
                    if (last == null) {
                        past.values().forEach(ai.onnxruntime.OnnxTensor::close);
                    } else {
                        last.close();
                    }
                    last = r;
                    float[] logits = ((float[][][]) r.get("logits").get().getValue())[0][0];
                    next = 0;
                    for (int i = 1; i < logits.length; i++) {
                        next = logits[i] > logits[(int) next] ? i : next;
                    }
                    for (String layer : layers) {
                        past.put("past_" + layer + "_k", (ai.onnxruntime.OnnxTensor) r.get("present_" + layer + "_k").get());
                        past.put("past_" + layer + "_v", (ai.onnxruntime.OnnxTensor) r.get("present_" + layer + "_v").get());
                    }
                }
                last.close();
                profile = s.endProfiling();
            }
        }
        // the profile has one event per line; a run's node events come before its model_run event
        List<java.util.Map<String, Double>> runs = new java.util.ArrayList<>();
        java.util.Map<String, Double> current = new java.util.TreeMap<>();
        java.util.regex.Pattern dur = java.util.regex.Pattern.compile("\"dur\" ?: ?(\\d+)");
        java.util.regex.Pattern op = java.util.regex.Pattern.compile("\"op_name\" ?: ?\"([^\"]+)\"");
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(profile))) {
            for (String line; (line = r.readLine()) != null; ) {
                java.util.regex.Matcher d = dur.matcher(line);
                if (!d.find()) {
                    continue;
                }
                if (line.contains("\"model_run\"")) {
                    current.put("(model_run)", Double.parseDouble(d.group(1)));
                    runs.add(current);
                    current = new java.util.TreeMap<>();
                } else if (line.contains("_kernel_time")) {
                    java.util.regex.Matcher o2 = op.matcher(line);
                    if (o2.find()) {
                        current.merge(o2.group(1), Double.parseDouble(d.group(1)), Double::sum);
                    }
                }
            }
        }
        System.out.println("sam-profile: " + runs.size() + " runs (prompt pass + steps), profile " + profile);
        for (int[] window : new int[][] {{1, 65}, {runs.size() - 64, runs.size()}}) {
            java.util.Map<String, Double> sum = new java.util.TreeMap<>();
            for (int i = window[0]; i < window[1]; i++) {
                runs.get(i).forEach((k, v) -> sum.merge(k, v, Double::sum));
            }
            StringBuilder b = new StringBuilder("sam-profile steps " + window[0] + "-" + (window[1] - 1) + ": us per step");
            sum.entrySet().stream()
                    .sorted((a, c) -> Double.compare(c.getValue(), a.getValue()))
                    .limit(8)
                    .forEach(e -> b.append(String.format(" %s %.0f", e.getKey(), e.getValue() / (window[1] - window[0]))));
            System.out.println(b);
        }
        java.nio.file.Files.deleteIfExists(file);
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(profile));
    }

    /** Runs one generation with a listener that stamps each step; prints the figures at 64, 256, 1024, ... tokens. */
    static long[] steps(String label, int newTokens,
            java.util.function.Function<dev.perceiver.inference.decoding.StepListener, long[]> generate) {
        long[] stamps = new long[newTokens];
        long t0 = System.nanoTime();
        long[] tokens = generate.apply((step, t, f) -> stamps[step] = System.nanoTime());
        for (int n = 64; n <= newTokens; n *= 4) {
            double s = (stamps[n - 1] - t0) / 1e9;
            double lastSteps = (stamps[n - 1] - stamps[n - 64]) / 1e6 / 63;
            System.out.printf("%s: %d tokens in %.3f s, %.2f tokens/s, last 64 steps %.2f ms/step%n",
                    label, n, s, n / s, lastSteps);
        }
        System.out.printf("%s: first token (prompt pass) %.3f s%n", label, (stamps[0] - t0) / 1e9);
        return tokens;
    }

    static dev.perceiver.tasks.audio.SymbolicAudioModel samModel(NDManager m) {
        PerceiverARConfig config = PerceiverARConfig.builder()
                .vocabSize(389)
                .maxSeqLen(6144)
                .maxLatents(2048)
                .numChannels(768)
                .numHeads(8)
                .numSelfAttentionLayers(18)
                .build();
        dev.perceiver.tasks.audio.SymbolicAudioModel model = new dev.perceiver.tasks.audio.SymbolicAudioModel(m, config);
        model.setTraining(false);
        return model;
    }

    static long[] samPrompt(int promptLen) {
        Random r = new Random(1);
        long[] prompt = new long[promptLen];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + r.nextInt(388);
        }
        return prompt;
    }

    static void sam(NDManager m, int rounds, int promptLen, int newTokens) {
        dev.perceiver.tasks.audio.SymbolicAudioModel model = samModel(m);
        long[] prompt = samPrompt(promptLen);
        PromptBatch batch = PromptBatch.leftPadded(List.of(prompt), 0);
        GenerationConfig greedy = GenerationConfig.greedy(newTokens).withNumLatents(1);
        CausalGenerator libtorch = new CausalGenerator(model);
        try (dev.perceiver.inference.engine.CausalDecoderRunner ort = ModelRunners.openDecoder(model, Engine.ONNXRUNTIME, 2)) {
            CausalGenerator onnx = new CausalGenerator(model, null, ort);
            System.out.println("sam: same tokens = " + Arrays.equals(
                    libtorch.generate(batch, greedy).sequences()[0], onnx.generate(batch, greedy).sequences()[0]));
            // libtorch's steps on a serial worker (one intra-op thread), as generate-audio runs them
            try (dev.perceiver.nn.EngineSetup.Applied engine =
                    dev.perceiver.nn.EngineSetup.builder().serialWorkers(1).build().apply()) {
                for (int round = 1; round <= rounds; round++) {
                    time("sam libtorch kv cache (serial worker) round " + round, () -> call(engine, () -> libtorch.generate(batch, greedy)));
                    time("sam libtorch kv cache (2 threads) round " + round, () -> libtorch.generate(batch, greedy));
                    time("sam onnxruntime kv cache round " + round, () -> onnx.generate(batch, greedy));
                }
            }
        }
        System.out.println("(" + newTokens + " tokens per generation, prompt pass included)");
    }

    static Object call(dev.perceiver.nn.EngineSetup.Applied engine, Supplier<Object> work) {
        try {
            return dev.perceiver.nn.EngineSetup.callOn(engine.serialWorkers(), work::get);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Greedy generation without a cache: one full forward per token. */
    static long[] fullForwardLoop(NDManager base, CausalModelRunner ort, long[] prompt, int newTokens) {
        long[] seq = Arrays.copyOf(prompt, prompt.length + newTokens);
        for (int s = 0; s < newTokens; s++) {
            int n = prompt.length + s;
            int numLatents = Math.min(1 + s, 256);
            try (NDManager m = base.newSubManager()) {
                NDArray x = Tensors.owned(m, Arrays.copyOf(seq, n), new Shape(1, n));
                NDArray logits = ort.forward(x, n - numLatents, null).logits();
                seq[n] = logits.get(":, -1, :").argMax(-1).getLong();
            }
        }
        return seq;
    }

    static void time(String label, Supplier<Object> run) {
        run.get();
        double[] s = new double[REPS];
        for (int i = 0; i < REPS; i++) {
            long t0 = System.nanoTime();
            run.get();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        double best = Arrays.stream(s).min().orElseThrow();
        System.out.printf("%s: %s s, best %.3f s%n", label, Arrays.toString(s), best);
    }
}
