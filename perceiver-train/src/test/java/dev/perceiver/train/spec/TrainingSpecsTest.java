package dev.perceiver.train.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.perceiver.tasks.audio.AudioModelKinds;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.VisionModelKinds;
import dev.perceiver.train.config.DataOptions;
import dev.perceiver.train.optim.LrScheduleConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The registered training specs: names, defaults (unchanged from before the specs), data options. */
class TrainingSpecsTest {
    @Test
    void theFiveTasksAreRegisteredInOrder() {
        assertThat(TrainingSpecs.all().stream().map(TrainingSpec::name))
                .containsExactly("image-classifier", "mlm", "text-classifier", "clm", "symbolic-audio");
        assertThat(TrainingSpecs.of("clm")).isInstanceOf(CausalLmSpec.class);
        assertThatThrownBy(() -> TrainingSpecs.of("imageclassifier"))
                .hasMessage("unknown task 'imageclassifier'; valid: image-classifier, mlm, text-classifier, clm, "
                        + "symbolic-audio");
    }

    @Test
    void modelTypesAreInstalledModelKinds() {
        for (TrainingSpec<?> spec : TrainingSpecs.all()) {
            assertThat(spec.modelKind().modelType()).isEqualTo(spec.modelType());
        }
        assertThat(new MaskedLmSpec().modelKind()).isSameAs(TextModelKinds.MASKED_LANGUAGE_MODEL);
        assertThat(new ImageClassifierSpec().modelKind()).isSameAs(VisionModelKinds.IMAGE_CLASSIFIER);
        assertThat(new SymbolicAudioSpec().modelKind()).isSameAs(AudioModelKinds.SYMBOLIC_AUDIO_MODEL);
    }

    /** The defaults as --print_config printed them before the specs existed (order and number types included). */
    @Test
    void defaultsAreThoseOfThePreviousRelease() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        for (TrainingSpec<?> spec : TrainingSpecs.all()) {
            String expected;
            try (InputStream in = getClass().getResourceAsStream("defaults/" + spec.name() + ".yaml")) {
                expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(yaml.writeValueAsString(spec.defaults())).as(spec.name()).isEqualTo(expected);
        }
    }

    @Test
    void defaultDataOptionsRoundTrip() {
        for (TrainingSpec<?> spec : TrainingSpecs.all()) {
            ObjectNode data = spec.dataDefaults();
            assertThat(spec.dataOptions(data)).as(spec.name()).isNotNull();
        }
        MaskedLmSpec.Options mlm = new MaskedLmSpec().dataOptions(new MaskedLmSpec().dataDefaults());
        assertThat(mlm).isEqualTo(MaskedLmSpec.Options.DEFAULTS);
        assertThat(mlm.common().effectiveValidBatchSize()).isEqualTo(16);
        assertThat(new CausalLmSpec().lrSchedulerDefaults()).isInstanceOf(LrScheduleConfig.CosineWithWarmup.class);
        assertThat(new ImageClassifierSpec().lrSchedulerDefaults())
                .isInstanceOf(LrScheduleConfig.ConstantWithWarmup.class);
    }

    @Test
    void badDataOptionsNameOptionValueAndRange() {
        MaskedLmSpec mlm = new MaskedLmSpec();
        assertThatThrownBy(() -> mlm.dataOptions(mlm.dataDefaults().put("valid_fraction", 1.5)))
                .hasMessage("data.valid_fraction (1.5) must be in (0, 1)");
        assertThatThrownBy(() -> mlm.dataOptions(mlm.dataDefaults().put("mask_prob", 0.0)))
                .hasMessage("data.mask_prob (0.0) must be in (0, 1)");
        assertThatThrownBy(() -> mlm.dataOptions(mlm.dataDefaults().put("batch_size", 0L)))
                .hasMessage("data.batch_size (0) must be a positive integer");
        assertThatThrownBy(() -> mlm.dataOptions(mlm.dataDefaults().put("valid_batch_size", -3L)))
                .hasMessage("data.valid_batch_size (-3) must be a positive integer");
        assertThatThrownBy(() -> mlm.dataOptions(mlm.dataDefaults().put("max_seq_len", 3_000_000_000L)))
                .hasMessage("data.max_seq_len (3000000000) must be a positive integer");
        CausalLmSpec clm = new CausalLmSpec();
        ObjectNode truncated = clm.dataDefaults().put("random_train_truncation", true);
        assertThatThrownBy(() -> clm.dataOptions(truncated.put("random_min_seq_len", 0L)))
                .hasMessage("data.random_min_seq_len (0) must be a positive integer");
        assertThatThrownBy(() -> new DataOptions(null, 2, 0, true))
                .hasMessage("data.valid_batch_size (0) must be a positive integer");
    }

    @Test
    void dataThatTheTaskNeedsIsNamed() {
        TextClassifierSpec text = new TextClassifierSpec();
        assertThatThrownBy(() -> text.loadData(text.dataDefaults(), 0))
                .hasMessageStartingWith("text-classifier needs data: --data.dataset_dir=DIR");
        assertThatThrownBy(() -> text.loadData(text.dataDefaults().put("train_file", "a.csv"), 0))
                .hasMessageContaining("both data.train_file and data.valid_file");
        SymbolicAudioSpec audio = new SymbolicAudioSpec();
        assertThatThrownBy(() -> audio.loadData(audio.dataDefaults(), 0))
                .hasMessageStartingWith("symbolic-audio needs --data.dataset_dir=DIR");
    }
}
