package dev.perceiver.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.engine.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each inference task's predictor (what an executor runs) on both engines: ONNX Runtime answers as libtorch, the same
 * tokens, labels and texts, numbers within 1e-4 (the tolerance of the ONNX Runtime pipeline tests); AUTO runs on ONNX
 * Runtime, embed on libtorch.
 */
class SparkEnginesTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;

    private static NDManager manager;

    @BeforeAll
    static void save() throws Exception {
        manager = NDManager.newBaseManager();
        TinyModels.classifier(manager, dir.resolve("clf"));
        TinyModels.mlm(manager, dir.resolve("mlm"));
        TinyModels.clm(manager, dir.resolve("clm"));
        TinyModels.imageClassifier(manager, dir.resolve("img-clf"));
        TinyModels.flow(manager, dir.resolve("flow"));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static InferenceSettings settings(InferenceTask task, String model, Engine engine) {
        return new InferenceSettings(
                task, dir.resolve(model).toString(), task.inputFields(), 4, 3, 6, 2, "mean", 2, 1, 2, false, engine);
    }

    private static List<InputRow> rows(List<String> values) {
        List<InputRow> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            out.add(new InputRow("r" + i, List.of(values.get(i))));
        }
        return out;
    }

    @Test
    void textTasksAnswerAlikeOnBothEngines() throws Exception {
        same(InferenceTask.FILL_MASK, "mlm", rows(List.of("a [MASK]ine film", "[MASK][MASK]ll", "o[MASK]")));
        same(InferenceTask.CLASSIFY_TEXT, "clf", rows(List.of("a fine film", "dull", "thin plot, good actors")));
        same(InferenceTask.GENERATE, "clm", rows(List.of("Hello", "a longer prompt", "xyz")));
    }

    @Test
    void imageTasksAnswerAlikeOnBothEngines() throws Exception {
        Path images = dir.resolve("images");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            files.add(TinyModels.image(images, "img" + i + ".png", 6, 5, i).toString());
        }
        same(InferenceTask.CLASSIFY_IMAGE, "img-clf", rows(files));
        Path f1 = TinyModels.image(images, "f1.png", 12, 15, 11);
        Path f2 = TinyModels.image(images, "f2.png", 12, 15, 12);
        same(InferenceTask.FLOW, "flow", List.of(new InputRow("pair", List.of(f1.toString(), f2.toString()))));
    }

    @Test
    void embedRunsOnLibtorchAndRefusesOnnxRuntimeNamingTheOption() throws Exception {
        try (RowPredictor p = new EmbedPredictor(settings(InferenceTask.EMBED, "mlm", Engine.AUTO))) {
            assertThat(p.engine()).isEqualTo(Engine.LIBTORCH);
            assertThat(p.predict(rows(List.of("short"))).get(0).get("shape").toString())
                    .isEqualTo("[16]");
        }
        assertThatThrownBy(() -> settings(InferenceTask.EMBED, "mlm", Engine.ONNXRUNTIME))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--engine onnxruntime: embed runs the encoder alone, on libtorch only; use --engine"
                        + " libtorch or auto");
    }

    /** The task's predictor on libtorch, on ONNX Runtime and on AUTO (ONNX Runtime here) gives alike rows. */
    private static void same(InferenceTask task, String model, List<InputRow> rows) throws Exception {
        List<ObjectNode> want;
        try (RowPredictor lt = ExecutorModels.load(settings(task, model, Engine.LIBTORCH))) {
            assertThat(lt.engine()).isEqualTo(Engine.LIBTORCH);
            want = lt.predict(rows);
        }
        for (Engine engine : new Engine[] {Engine.ONNXRUNTIME, Engine.AUTO}) {
            try (RowPredictor ort = ExecutorModels.load(settings(task, model, engine))) {
                assertThat(ort.engine()).as("%s on %s", task, engine).isEqualTo(Engine.ONNXRUNTIME);
                List<ObjectNode> got = ort.predict(rows);
                assertThat(got).hasSameSizeAs(want);
                List<String> mismatches = new ArrayList<>();
                for (int i = 0; i < want.size(); i++) {
                    compare(task + "[" + i + "]", got.get(i), want.get(i), mismatches);
                }
                assertThat(mismatches).isEmpty();
            }
        }
    }

    /** Equal structure, texts and booleans; numbers within {@link #TOLERANCE} (relative above 1). */
    private static void compare(String path, JsonNode got, JsonNode want, List<String> mismatches) {
        if (want.isNumber() && got.isNumber()) {
            double w = want.asDouble();
            if (Math.abs(got.asDouble() - w) > TOLERANCE * Math.max(1, Math.abs(w))) {
                mismatches.add(path + ": " + got + " vs " + want);
            }
        } else if (want.isContainerNode() && got.getNodeType() == want.getNodeType() && got.size() == want.size()) {
            if (want.isArray()) {
                for (int i = 0; i < want.size(); i++) {
                    compare(path + "[" + i + "]", got.get(i), want.get(i), mismatches);
                }
            } else {
                for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    compare(path + "." + f, got.path(f), want.get(f), mismatches);
                }
            }
        } else if (!got.equals(want)) {
            mismatches.add(path + ": " + got + " vs " + want);
        }
    }
}
