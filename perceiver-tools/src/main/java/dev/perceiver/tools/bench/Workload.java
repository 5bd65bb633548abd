package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * The benchmark workloads of {@code WORKLOADS.md} (plus an opt-in matrix-product calibration): name, unit of the
 * rate, whether the model runs in training mode, and how its case is built.
 */
public enum Workload {
    /** One training step of the image classifier on a batch of 64. */
    IMG_TRAIN("img-train", "samples/s", true, (base, o, workers) -> new ImageCase(base, o, true)),
    /** Forward pass of the image classifier on a batch of 64, eval mode. */
    IMG_INFER("img-infer", "samples/s", false, (base, o, workers) -> new ImageCase(base, o, false)),
    /** One training step of the Perceiver AR causal LM on 4 x 1024 tokens (256 latent positions each). */
    CLM_TRAIN("clm-train", "latent-tokens/s", true, (base, o, workers) -> new ClmTrainCase(base, o)),
    /** Greedy generation of 64 tokens from a 512-token prompt with the kv cache. */
    CLM_GENERATE("clm-generate", "tokens/s", false, ClmGenerateCase::new),
    /** Forward pass of the 201M deepmind/language-perceiver architecture on one 2048-token sequence. */
    MLM_INFER("mlm-infer", "sequences/s", false, (base, o, workers) -> new MlmInferCase(base, o)),
    /** Calibration (not run by default): one 2048 x 2048 float32 matrix product, the ceiling of WORKLOADS.md. */
    MATMUL("matmul", "products/s", false, (base, o, workers) -> new MatmulCase(base, o));

    /** The workloads run when none are named: those of WORKLOADS.md. */
    public static final List<Workload> DEFAULTS = List.of(IMG_TRAIN, IMG_INFER, CLM_TRAIN, CLM_GENERATE, MLM_INFER);

    private final String id;
    private final String unit;
    private final boolean training;
    private final Factory factory;

    Workload(String id, String unit, boolean training, Factory factory) {
        this.id = id;
        this.unit = unit;
        this.training = training;
        this.factory = factory;
    }

    /** How a workload's case is built. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param serialWorkers threads with one intra-op thread each, for cases that decode token by token
         */
        BenchCase create(NDManager base, BenchOptions options, Executor serialWorkers);
    }

    /** Builds the case of this workload (its model through the model registry) under {@code base}. */
    BenchCase create(NDManager base, BenchOptions options, Executor serialWorkers) {
        return factory.create(base, options, serialWorkers);
    }

    /** Name on the command line and in the JSON output. */
    public String id() {
        return id;
    }

    /** Unit of the rates. */
    public String unit() {
        return unit;
    }

    /** Whether one repetition is a training step. */
    public boolean training() {
        return training;
    }

    /** The workload of a name; the error lists the valid names. */
    public static Workload of(String id) {
        for (Workload w : values()) {
            if (w.id.equals(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("--workloads: unknown workload '" + id + "'; valid: " + validNames());
    }

    /**
     * Workloads from a comma-separated list, in the order given; duplicates and blanks are errors.
     *
     * @param list e.g. {@code img-train,clm-generate}
     */
    public static List<Workload> parseList(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("--workloads (\"" + (list == null ? "" : list)
                    + "\") must name at least one workload; valid: " + validNames());
        }
        List<Workload> out = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(
                        "--workloads (\"" + list + "\") has an empty entry; valid: " + validNames());
            }
            Workload w = of(name);
            if (out.contains(w)) {
                throw new IllegalArgumentException("--workloads (\"" + list + "\") names '" + name + "' twice");
            }
            out.add(w);
        }
        return out;
    }

    /** The valid names, comma-separated. */
    public static String validNames() {
        return Arrays.stream(values()).map(Workload::id).collect(Collectors.joining(", "));
    }
}
