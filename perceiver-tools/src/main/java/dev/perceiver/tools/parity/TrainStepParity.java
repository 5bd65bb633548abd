package dev.perceiver.tools.parity;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.perceiver.model.io.TensorData;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.vision.ImageClassifier;
import dev.perceiver.tasks.vision.VisionModelKinds;
import dev.perceiver.train.Losses;
import dev.perceiver.train.optim.AdamW;
import dev.perceiver.train.optim.AdamWConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code train_step} fixture: one AdamW step of an image classifier. Checks the loss, every gradient
 * ({@code max|a-b| <= 1e-3 * max|b|} per tensor; a reference gradient that is pure rounding noise, max|b| <= 1e-6,
 * e.g. every {@code k_proj.bias}, is compared with the absolute tolerance 1e-6), every parameter after the step
 * (only elements whose reference |grad| > 1e-6, {@code 1e-4 * max(1, max|b|)}; buffers must be unchanged) and the
 * loss after the step. Gradients and parameters are reported as the worst tensor of each group.
 */
public final class TrainStepParity {
    /** Threshold below which a reference gradient element counts as rounding noise. */
    static final double NOISE = 1e-6;

    private TrainStepParity() {}

    /** Evaluates the fixture. */
    public static List<CaseResult.Check> evaluate(Fixture f) {
        ImageClassifier model = VisionModelKinds.IMAGE_CLASSIFIER.createFromJson(f.manager(), f.config());
        f.loadParams(model);
        model.setTraining(true);
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        model.stateDict().forEach((k, p) -> {
            if (!p.isBuffer()) {
                trainable.put(k, p);
            }
        });
        AdamWConfig cfg = optimizerConfig(f.meta(StepCase.class).optimizer());
        AdamW opt = new AdamW(trainable, cfg);
        opt.attachGradients();

        NDArray x = f.input("x");
        NDArray labels = f.input("labels");
        List<CaseResult.Check> checks = new ArrayList<>();
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            loss = Losses.crossEntropy(model.forward(x), labels);
            gc.backward(loss);
        }
        checks.add(ParityRunner.compare("loss", loss.reshape(1), f.tensor("output.loss")));

        CaseResult.Check worstGrad = null;
        for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
            TensorData ref = f.tensor("grad." + e.getKey());
            double maxB = maxAbs(ref.toFloatArray());
            double tol = maxB <= NOISE ? NOISE : 1e-3 * maxB;
            double err = ParityRunner.maxAbsDiff(e.getValue().array().getGradient(), ref);
            worstGrad = worse(worstGrad, new CaseResult.Check("grad[" + e.getKey() + "]", err, tol));
        }
        checks.add(worstGrad);

        opt.step(cfg.lr());

        CaseResult.Check worstParam = null;
        for (Map.Entry<String, Parameter> e : model.stateDict().entrySet()) {
            TensorData after = f.tensor("after." + e.getKey());
            float[] b = after.toFloatArray();
            float[] a = e.getValue().array().toFloatArray();
            if (a.length != b.length) {
                worstParam = worse(
                        worstParam, new CaseResult.Check("after[" + e.getKey() + "]", Double.POSITIVE_INFINITY, 0));
                continue;
            }
            float[] g = e.getValue().isBuffer()
                    ? null
                    : f.tensor("grad." + e.getKey()).toFloatArray();
            double err = 0;
            for (int i = 0; i < a.length; i++) {
                if (g == null || Math.abs(g[i]) > NOISE) {
                    double d = Math.abs((double) a[i] - b[i]);
                    err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
                }
            }
            double tol = 1e-4 * Math.max(1.0, maxAbs(b));
            worstParam = worse(worstParam, new CaseResult.Check("after[" + e.getKey() + "]", err, tol));
        }
        checks.add(worstParam);

        NDArray lossAfter = Losses.crossEntropy(model.forward(x), labels);
        checks.add(ParityRunner.compare("loss_after_step", lossAfter.reshape(1), f.tensor("output.loss_after_step")));
        return checks;
    }

    /** The fixture's {@code optimizer} entry (torch defaults for absent fields). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record OptimizerCase(String name, Double lr, double[] betas, Double eps, Double weightDecay) {}

    /** The case arguments of the fixture. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StepCase(OptimizerCase optimizer) {}

    /** AdamW settings from the fixture's {@code optimizer} entry (torch defaults for absent fields). */
    static AdamWConfig optimizerConfig(OptimizerCase o) {
        AdamWConfig d = AdamWConfig.defaults();
        if (o == null) {
            return d;
        }
        String name = o.name() == null ? "AdamW" : o.name();
        if (!name.equals("AdamW")) {
            throw new IllegalArgumentException("train_step optimizer name '" + name + "' is not supported (AdamW)");
        }
        if (o.betas() != null && o.betas().length != 2) {
            throw new IllegalArgumentException(
                    "train_step optimizer betas " + Arrays.toString(o.betas()) + " must have 2 values");
        }
        return new AdamWConfig(
                o.lr() == null ? d.lr() : o.lr(),
                o.betas() == null ? d.beta1() : o.betas()[0],
                o.betas() == null ? d.beta2() : o.betas()[1],
                o.eps() == null ? d.eps() : o.eps(),
                o.weightDecay() == null ? d.weightDecay() : o.weightDecay(),
                true);
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static CaseResult.Check worse(CaseResult.Check a, CaseResult.Check b) {
        if (a == null) {
            return b;
        }
        return ratio(b) > ratio(a) ? b : a;
    }

    private static double ratio(CaseResult.Check c) {
        return c.tolerance() == 0 ? (c.maxError() == 0 ? 0 : Double.POSITIVE_INFINITY) : c.maxError() / c.tolerance();
    }
}
