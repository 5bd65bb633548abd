package dev.perceiver.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.model.io.TorchFiles.Storage;
import dev.perceiver.model.io.TorchFiles.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints: an index's weight_map and its shards must agree. */
class ShardedCheckpointTest {
    @TempDir
    Path dir;

    private void torchShard(String file, String... names) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        int key = 0;
        for (String name : names) {
            t.put(name, Tensor.of(Storage.floats(Integer.toString(key++), name.length(), -1), 2));
        }
        TorchFiles.write(dir.resolve(file), TorchFiles.archive(t));
    }

    private void safetensorsShard(String file, String... names) throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        for (String name : names) {
            t.put(name, TensorData.ofFloats(new long[] {2}, new float[] {name.length(), -1}));
        }
        SafetensorsFile.write(dir.resolve(file), t, Map.of("format", "pt"));
    }

    private Path index(String name, String weightMapJson) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(
                p,
                "{\"metadata\": {\"total_size\": 48}, \"weight_map\": " + weightMapJson + "}",
                StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void torchShardsReadAsOneStateDict() throws IOException {
        torchShard("pytorch_model-00001-of-00002.bin", "a.weight", "a.bias");
        torchShard("pytorch_model-00002-of-00002.bin", "b.weight");
        Path index = index(
                ShardedCheckpoint.TORCH_INDEX,
                "{\"a.weight\": \"pytorch_model-00001-of-00002.bin\", \"b.weight\": \"pytorch_model-00002-of-00002.bin\","
                        + " \"a.bias\": \"pytorch_model-00001-of-00002.bin\"}");
        Map<String, TensorData> tensors = ShardedCheckpoint.read(index);
        assertThat(tensors.keySet()).containsExactly("a.weight", "a.bias", "b.weight");
        assertThat(tensors.get("b.weight").toFloatArray()).containsExactly(8, -1);
        assertThat(tensors.get("a.bias").toFloatArray()).containsExactly(6, -1);
        assertThat(tensors.get("missing")).isNull();
        assertThat(CheckpointFiles.find(dir)).isEqualTo(dir.resolve(ShardedCheckpoint.TORCH_INDEX));
        assertThat(CheckpointFiles.read(index)).isEqualTo(tensors);
    }

    @Test
    void safetensorsShardsReadAsOneStateDict() throws IOException {
        safetensorsShard("model-00001-of-00002.safetensors", "x");
        safetensorsShard("model-00002-of-00002.safetensors", "yy", "zzz");
        Path index = index(
                ShardedCheckpoint.SAFETENSORS_INDEX,
                "{\"x\": \"model-00001-of-00002.safetensors\", \"yy\": \"model-00002-of-00002.safetensors\","
                        + " \"zzz\": \"model-00002-of-00002.safetensors\"}");
        Map<String, TensorData> tensors = CheckpointFiles.read(index);
        assertThat(tensors).hasSize(3);
        assertThat(tensors.get("zzz").toFloatArray()).containsExactly(3, -1);
        assertThat(CheckpointFiles.find(dir)).isEqualTo(index);
    }

    @Test
    void openedShardsReadFromTheFilesWhatReadReturns() throws IOException {
        safetensorsShard("model-00001-of-00002.safetensors", "x");
        safetensorsShard("model-00002-of-00002.safetensors", "yy", "zzz");
        Path st = index(
                ShardedCheckpoint.SAFETENSORS_INDEX,
                "{\"x\": \"model-00001-of-00002.safetensors\", \"yy\": \"model-00002-of-00002.safetensors\","
                        + " \"zzz\": \"model-00002-of-00002.safetensors\"}");
        torchShard("one.bin", "a", "bb");
        torchShard("two.bin", "ccc");
        Path torch =
                index(ShardedCheckpoint.TORCH_INDEX, "{\"a\": \"one.bin\", \"bb\": \"one.bin\", \"ccc\": \"two.bin\"}");
        for (Path index : new Path[] {st, torch}) {
            Map<String, TensorData> read = ShardedCheckpoint.read(index);
            try (CheckpointFiles.Opened opened = CheckpointFiles.open(index)) {
                assertThat(opened.tensors().keySet()).containsExactlyElementsOf(read.keySet());
                for (Map.Entry<String, TensorSource> e : opened.tensors().entrySet()) {
                    TensorData expected = read.get(e.getKey());
                    ByteBuffer bytes = ByteBuffer.allocate((int) e.getValue().byteSize());
                    e.getValue().read(0, bytes);
                    assertThat(e.getValue().dtype()).isEqualTo(expected.dtype());
                    assertThat(e.getValue().shape()).containsExactly(expected.shape());
                    assertThat(bytes.flip()).as(e.getKey()).isEqualTo(expected.data());
                }
            }
        }
    }

    @Test
    void openingChecksTheIndexAsReadingDoes() throws IOException {
        torchShard("one.bin", "a", "b");
        torchShard("two.bin", "b");
        Path twice = index(ShardedCheckpoint.TORCH_INDEX, "{\"a\": \"one.bin\", \"b\": \"two.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(twice))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(twice + ": tensor 'b' is in two shards, one.bin and two.bin");
        Path missing = index("m.index.json", "{\"a\": \"one.bin\", \"c\": \"three.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(dir.resolve("three.bin").toAbsolutePath() + ": shard named by " + missing
                        + " (for tensor 'c') does not exist");
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        torchShard("one.bin", "a");
        Path index =
                index(ShardedCheckpoint.TORCH_INDEX, "{\"a\": \"one.bin\", \"b\": \"two.bin\", \"c\": \"two.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(index))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(dir.resolve("two.bin").toAbsolutePath() + ": shard named by " + index
                        + " (for tensor 'b' and 1 more) does not exist");
    }

    @Test
    void aTensorInTwoShardsIsAnError() throws IOException {
        torchShard("one.bin", "a", "b");
        torchShard("two.bin", "b");
        Path index = index(ShardedCheckpoint.TORCH_INDEX, "{\"a\": \"one.bin\", \"b\": \"two.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(index))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(index + ": tensor 'b' is in two shards, one.bin and two.bin");
    }

    @Test
    void theIndexAndTheShardsMustAgree() throws IOException {
        torchShard("one.bin", "a");
        torchShard("two.bin", "b");
        Path wrong = index("wrong.index.json", "{\"a\": \"two.bin\", \"b\": \"two.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(wrong))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(wrong + ": weight_map puts tensor 'a' in shard two.bin, which does not hold it");
        Path unlisted = index("unlisted.index.json", "{\"a\": \"one.bin\"}");
        torchShard("one.bin", "a", "extra");
        assertThatThrownBy(() -> ShardedCheckpoint.read(unlisted))
                .hasMessage(unlisted + ": tensor 'extra' of shard one.bin is not in the index's weight_map");
    }

    @Test
    void malformedIndexesAreRefused() throws IOException {
        Path duplicate = index("d.index.json", "{\"a\": \"one.bin\", \"a\": \"two.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(duplicate))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("not valid JSON: Duplicate field 'a'");
        Path escape = index("e.index.json", "{\"a\": \"../secret.bin\"}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(escape))
                .hasMessage(escape + ": weight_map entry 'a' names shard '../secret.bin', which is not a file name in"
                        + " the index's folder");
        Path noMap = dir.resolve("n.index.json");
        Files.writeString(noMap, "{\"metadata\": {}}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(noMap))
                .hasMessage(noMap + ": no 'weight_map' object (tensor name -> shard file)");
        Path number = index("x.index.json", "{\"a\": 3}");
        assertThatThrownBy(() -> ShardedCheckpoint.read(number))
                .hasMessage(number + ": weight_map entry 'a' must be a shard file name, found number");
        Path broken = dir.resolve("b.index.json");
        Files.writeString(broken, "{\"weight_map\": {");
        assertThatThrownBy(() -> ShardedCheckpoint.read(broken)).isInstanceOf(CheckpointFormatException.class);
    }

    @Test
    void aFolderWithoutWeightsIsNamed() {
        assertThatThrownBy(() -> CheckpointFiles.find(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(dir + ": model folder has no weights (looked for model.safetensors,"
                        + " model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json)");
    }
}
