package dev.perceiver.train.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.train.spec.TrainingSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionTreeTest {
    private static ObjectNode resolve(Path config, String... args) throws Exception {
        return CommandOptions.resolve(
                new OptionTree(TrainingSpecs.of("image-classifier").defaults()), config, List.of(args));
    }

    @Test
    void referenceNamesSetTypedValues() throws Exception {
        ObjectNode v = resolve(
                null,
                "--model.num_latents=16",
                "--model.encoder.num_cross_attention_layers",
                "1",
                "--optimizer.lr=1e-4",
                "--optimizer.betas=[0.8, 0.99]",
                "--model.encoder.dropout=0.2",
                "--model.encoder.num_cross_attention_qk_channels=32",
                "--data.dataset_dir=/tmp/x",
                "--trainer.val_check_interval=0.5",
                "--optimizer=Adam");
        assertThat(v.at("/model/num_latents").asInt()).isEqualTo(16);
        assertThat(v.at("/optimizer/lr").asDouble()).isEqualTo(1e-4);
        assertThat(v.at("/optimizer/betas/0").asDouble()).isEqualTo(0.8);
        assertThat(v.at("/model/encoder/num_cross_attention_qk_channels").asInt())
                .isEqualTo(32);
        assertThat(v.at("/data/dataset_dir").asText()).isEqualTo("/tmp/x");
        assertThat(v.at("/trainer/val_check_interval").asDouble()).isEqualTo(0.5);
        assertThat(v.at("/optimizer/name").asText()).isEqualTo("Adam");
        assertThat(v.at("/optimizer/weight_decay").asDouble())
                .as("torch Adam default")
                .isEqualTo(0.0);
    }

    @Test
    void unknownOptionListsCloseValidOnes() {
        assertThatThrownBy(() -> resolve(null, "--model.num_latent=3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown option --model.num_latent (did you mean --model.num_latents")
                .hasMessageContaining("--model.num_latent_channels");
        assertThatThrownBy(() -> resolve(null, "--trainer.max_step=3"))
                .hasMessageContaining("did you mean --trainer.max_steps");
    }

    @Test
    void badValuesNameOptionValueAndExpectedType() {
        assertThatThrownBy(() -> resolve(null, "--model.num_latents=many"))
                .hasMessage("invalid value 'many' for --model.num_latents: expected an integer");
        assertThatThrownBy(() -> resolve(null, "--data.shuffle=perhaps"))
                .hasMessage("invalid value 'perhaps' for --data.shuffle: expected true or false");
        assertThatThrownBy(() -> resolve(null, "--model.num_latents=1.5")).hasMessageContaining("expected an integer");
        assertThatThrownBy(() -> resolve(null, "--model.encoder=3")).hasMessageContaining("is a section");
        assertThatThrownBy(() -> resolve(null, "--trainer.max_steps")).hasMessageContaining("needs a value");
    }

    @Test
    void configFileIsOverriddenByOptionsAndAcceptsLightningForm(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, """
                model:
                  num_latents: 24
                  encoder:
                    num_self_attention_heads: 2
                optimizer:
                  class_path: torch.optim.AdamW
                  init_args:
                    lr: 0.005
                trainer:
                  max_steps: 10
                """);
        ObjectNode v = resolve(f, "--trainer.max_steps=20");
        assertThat(v.at("/model/num_latents").asInt()).isEqualTo(24);
        assertThat(v.at("/model/encoder/num_self_attention_heads").asInt()).isEqualTo(2);
        assertThat(v.at("/optimizer/lr").asDouble()).isEqualTo(0.005);
        assertThat(v.at("/trainer/max_steps").asInt()).isEqualTo(20);

        Files.writeString(f, "model:\n  num_latens: 3\n");
        assertThatThrownBy(() -> resolve(f))
                .hasMessageContaining(f.toString())
                .hasMessageContaining("unknown option --model.num_latens (did you mean --model.num_latents");
    }
}
