package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Every {@code pytorch_model.bin} of the published-checkpoint fixtures (written by torch itself) reads as what Python's
 * own unpickler and numpy see in it ({@code torch/summary.json}, written by {@code torch/summarize.py}): the same names
 * in the same order, dtypes, shapes and values.
 */
class TorchCheckpointFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode summary() throws IOException {
        return JSON.readTree(TorchCheckpointTest.resource("torch/summary.json").toFile());
    }

    @Test
    void everyFixtureReadsAsPythonSeesIt() throws IOException {
        JsonNode summary = summary();
        assertThat(summary.size()).isEqualTo(15);
        for (Iterator<Map.Entry<String, JsonNode>> files = summary.fields(); files.hasNext(); ) {
            Map.Entry<String, JsonNode> file = files.next();
            Path path = TorchCheckpointTest.resource("torch/" + file.getKey());
            TorchCheckpoint ckpt = TorchCheckpoint.read(path);
            List<String> expectedNames = new ArrayList<>();
            file.getValue().fieldNames().forEachRemaining(expectedNames::add);
            assertThat(ckpt.names()).as(file.getKey()).containsExactlyElementsOf(expectedNames);
            for (Iterator<Map.Entry<String, JsonNode>> it = file.getValue().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String what = file.getKey() + " " + e.getKey();
                JsonNode x = e.getValue();
                TensorData t = ckpt.get(e.getKey());
                assertThat(t.dtype())
                        .as(what)
                        .isEqualTo(x.get("storage").asText().equals("LongStorage") ? "I64" : "F32");
                long[] shape = new long[x.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = x.get("shape").get(i).asLong();
                }
                assertThat(t.shape()).as(what).containsExactly(shape);
                double[] values = values(t);
                double sum = 0;
                double absSum = 0;
                for (double v : values) {
                    sum += v;
                    absSum += Math.abs(v);
                }
                double scale = 1e-9 * Math.max(1, x.get("abs_sum").asDouble());
                assertThat(sum).as(what + " sum").isCloseTo(x.get("sum").asDouble(), within(scale));
                assertThat(absSum)
                        .as(what + " abs sum")
                        .isCloseTo(x.get("abs_sum").asDouble(), within(scale));
                if (values.length > 0) {
                    assertThat(values[0])
                            .as(what + " first")
                            .isEqualTo(x.get("first").asDouble());
                    assertThat(values[values.length - 1])
                            .as(what + " last")
                            .isEqualTo(x.get("last").asDouble());
                }
            }
        }
    }

    @Test
    void theTensorsCoverEveryStorageOfEachFixtureExactly() throws IOException {
        JsonNode summary = summary();
        for (Iterator<String> files = summary.fieldNames(); files.hasNext(); ) {
            String file = files.next();
            Path path = TorchCheckpointTest.resource("torch/" + file);
            // the storage entries as java.util.zip sees them
            Map<String, Long> entries = new LinkedHashMap<>();
            try (ZipFile zip = new ZipFile(path.toFile())) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    if (e.getName().contains("/data/")) {
                        entries.put(e.getName(), e.getSize());
                        assertThat(e.getMethod()).isEqualTo(ZipEntry.STORED);
                    }
                }
            }
            long bytes = 0;
            for (TensorData t : TorchCheckpoint.read(path).tensors().values()) {
                bytes += t.byteSize();
            }
            assertThat(bytes)
                    .as(file)
                    .isEqualTo(
                            entries.values().stream().mapToLong(Long::longValue).sum());
            assertThat(entries).as(file).hasSize(summary.get(file).size());
        }
    }

    @Test
    void theLanguagePerceiverFixtureHasTheKeysAndShapesItsConfigImplies() throws IOException {
        JsonNode config = JSON.readTree(TorchCheckpointTest.resource("torch/huggingface/language_perceiver/config.json")
                .toFile());
        Map<String, long[]> expected = LanguagePerceiverShapes.of(config);
        TorchCheckpoint ckpt = TorchCheckpoint.read(
                TorchCheckpointTest.resource("torch/huggingface/language_perceiver/pytorch_model.bin"));
        assertThat(ckpt.names()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, shape) -> assertThat(ckpt.shape(name)).as(name).containsExactly(shape));
        assertThat(LanguagePerceiverShapes.count(LanguagePerceiverShapes.published()))
                .isEqualTo(201_108_230L);
    }

    @Test
    void weightFilesOfAFolderAreFoundAndRead() throws IOException {
        Path folder = TorchCheckpointTest.resource("torch/folders/mlm");
        Path weights = CheckpointFiles.find(folder);
        assertThat(weights.getFileName()).hasToString("pytorch_model.bin");
        Map<String, TensorData> tensors = CheckpointFiles.read(weights);
        assertThat(tensors).hasSize(89);
        assertThat(tensors.keySet()).allMatch(k -> k.startsWith("backend_model."));
    }

    private static double[] values(TensorData t) {
        if (t.dtype().equals("F32")) {
            float[] f = t.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        long[] l = t.toLongArray();
        double[] d = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            d[i] = l[i];
        }
        return d;
    }
}
