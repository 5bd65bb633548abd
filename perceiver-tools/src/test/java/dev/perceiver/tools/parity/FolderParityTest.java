package dev.perceiver.tools.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.model.io.SafetensorsFile;
import dev.perceiver.model.io.TensorData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-folder fixtures (copied from ../shared/fixtures/folders and ../shared/fixtures/huggingface): every
 * krasserm-layout folder, loaded from its pytorch_model.bin as --model loads it, computes the reference's outputs;
 * Hugging Face transformers folders whose kind is not known yet are skipped, never passed or failed.
 */
class FolderParityTest {
    @TempDir
    Path tmp;

    /** A fixture directory of the test resources, found by one of its files. */
    static Path resources(String dir) throws URISyntaxException {
        String probe = dir.equals("fixtures-folders") ? "mlm" : "language_perceiver-krasserm";
        return Path.of(FolderParityTest.class
                        .getResource("/" + dir + "/" + probe + ".expected.safetensors")
                        .toURI())
                .getParent();
    }

    private static Map<String, CaseResult> run(Path dir) throws IOException {
        List<CaseResult> results = new ParityRunner().runDirectory(dir);
        return results.stream().collect(Collectors.toMap(CaseResult::name, Function.identity()));
    }

    @Test
    void everyKrassermFolderPasses() throws Exception {
        Map<String, CaseResult> byName = run(resources("fixtures-folders"));
        assertThat(byName).containsOnlyKeys("mlm", "text_classifier", "clm", "image_classifier", "symbolic_audio");
        for (CaseResult r : byName.values()) {
            assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
            assertThat(r.checks()).extracting(CaseResult.Check::output).contains("logits");
        }
    }

    @Test
    void huggingFaceFoldersOfComputedModelsAndTheirConversionsPassTheOthersAreSkipped() throws Exception {
        Map<String, CaseResult> byName = run(resources("fixtures-huggingface"));
        assertThat(byName).hasSize(10);
        List<String> passing = List.of(
                "language_perceiver-krasserm",
                "optical_flow-krasserm",
                "vision_fourier-krasserm",
                // transformers' own layout of the same models, loaded directly
                "language_perceiver",
                "optical_flow",
                "vision_fourier",
                "vision_learned",
                "vision_conv",
                "text_classifier");
        for (String name : passing) {
            CaseResult r = byName.get(name);
            assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.PASSED);
            // the latents after the encoder are compared too
            assertThat(r.checks())
                    .extracting(CaseResult.Check::output)
                    .containsExactlyInAnyOrder("logits", "last_hidden_state");
        }
        CaseResult multimodal = byName.get("multimodal");
        assertThat(multimodal.status()).as(multimodal.describe()).isEqualTo(CaseResult.Status.PASSED);
        assertThat(multimodal.checks())
                .extracting(CaseResult.Check::output)
                .containsExactlyInAnyOrder("logits.audio", "logits.image", "logits.label", "last_hidden_state");
    }

    /** A copy of a folder case in a temporary directory, with its folder. */
    private Path copyCase(String dir, String name) throws Exception {
        Path src = resources(dir);
        Files.copy(src.resolve(name + ".expected.safetensors"), tmp.resolve(name + ".expected.safetensors"));
        Path folder = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(src.resolve(name))) {
            for (Path p : files.toList()) {
                Files.copy(p, folder.resolve(p.getFileName()));
            }
        }
        return folder;
    }

    @Test
    void anOutputOffByMoreThanTheToleranceFails() throws Exception {
        copyCase("fixtures-folders", "text_classifier");
        Path file = tmp.resolve("text_classifier.expected.safetensors");
        SafetensorsFile sf = SafetensorsFile.read(file);
        Map<String, TensorData> tensors = new LinkedHashMap<>(sf.tensors());
        TensorData logits = tensors.get("output.logits");
        float[] values = logits.toFloatArray();
        values[1] += 0.01f; // tolerance 1e-4 + 1e-4 * max|b|, max|b| about 6
        tensors.put("output.logits", TensorData.ofFloats(logits.shape(), values));
        SafetensorsFile.write(file, tensors, sf.metadata());
        CaseResult r = new ParityRunner().run(file);
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.FAILED);
        assertThat(r.checks()).singleElement().satisfies(c -> {
            assertThat(c.output()).isEqualTo("logits");
            assertThat(c.maxError()).isBetween(0.0099, 0.0101);
        });
    }

    @Test
    void weightsOfAnotherModelAreAStrictLoadError() throws Exception {
        Path folder = copyCase("fixtures-folders", "text_classifier");
        Path other = resources("fixtures-folders").resolve("image_classifier/pytorch_model.bin");
        Files.copy(other, folder.resolve("pytorch_model.bin"), StandardCopyOption.REPLACE_EXISTING);
        CaseResult r = new ParityRunner().run(tmp.resolve("text_classifier.expected.safetensors"));
        assertThat(r.status()).as(r.describe()).isEqualTo(CaseResult.Status.ERROR);
        assertThat(r.message())
                .contains("text_classifier/pytorch_model.bin: tensor '0.latent_provider._query' has shape [5, 16]"
                        + " but the model expects (6, 16)");
    }

    @Test
    void aKrassermFolderWithAConfigFieldThatChangesComputationIsAnErrorNamingIt() throws Exception {
        Path folder = copyCase("fixtures-folders", "mlm");
        String config = Files.readString(folder.resolve("config.json"));
        Files.writeString(
                folder.resolve("config.json"),
                config.replace("\"num_latents\": 8", "\"num_latents\": 8, \"attention_temperature\": 0.5"));
        CaseResult r = new ParityRunner().run(tmp.resolve("mlm.expected.safetensors"));
        assertThat(r.status()).isEqualTo(CaseResult.Status.ERROR);
        assertThat(r.message()).contains("unknown field 'attention_temperature'");
    }

    @Test
    void anInputBoundToAnArgumentTheModelDoesNotTakeIsAnError() throws Exception {
        copyCase("fixtures-folders", "image_classifier");
        Path file = tmp.resolve("image_classifier.expected.safetensors");
        // a copy whose metadata binds the input to another name
        SafetensorsFile sf = SafetensorsFile.read(file);
        String meta = sf.metadata().get("case").replace("\"input.x\": \"x\"", "\"input.x\": \"pixels\"");
        SafetensorsFile.write(file, sf.tensors(), Map.of("case", meta));
        CaseResult r = new ParityRunner().run(file);
        assertThat(r.status()).isEqualTo(CaseResult.Status.ERROR);
        assertThat(r.message()).contains("input 'input.x' is bound to argument 'pixels', which the call does not take");
    }
}
