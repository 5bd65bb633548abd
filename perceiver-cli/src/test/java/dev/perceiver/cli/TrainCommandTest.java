package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line parsing and errors of {@code train} and {@code validate}. */
class TrainCommandTest {
    /** Exit code, stdout and stderr of one command. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpOfATaskListsItsOptionsWithTheirDefaults() {
        Run mlm = run("train", "mlm", "--help");
        assertThat(mlm.code()).isZero();
        assertThat(mlm.out())
                .contains("Options of mlm (defaults):")
                .contains("  --data.tokenizer=deepmind/language-perceiver")
                .contains("  --data.mask_prob=0.15")
                .contains("  --optimizer.betas=[0.9,0.999]");
        assertThat(run("train", "text-classifier", "--help").out())
                .contains("  --data.tokenizer=deepmind/language-perceiver");
        assertThat(run("train", "clm", "--help").out()).contains("  --data.tokenizer=deepmind/language-perceiver");
        Run image = run("train", "image-classifier", "--help");
        assertThat(image.out()).contains("  --data.batch_size=64").doesNotContain("--data.tokenizer");
        assertThat(run("train", "--help").out())
                .contains("perceiver train TASK --help lists the options of TASK")
                .doesNotContain("Options of");
        assertThat(run("train", "imageclassifier", "--help").out()).contains("unknown task 'imageclassifier'");
    }

    @Test
    void optionsAcceptDashesAndUnderscores() throws Exception {
        Run r = run("train", "image-classifier", "--trainer.max-steps=7", "--print-config");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("max_steps: 7");
        assertThat(Main.sameSpelling(
                        new String[] {"generate", "--max_new_tokens=3", "--prompt", "a_b", "--top_k", "2", "--", "--x_y"
                        }))
                .containsExactly("generate", "--max-new-tokens=3", "--prompt", "a_b", "--top-k", "2", "--", "--x_y");
        java.io.InputStream in = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("first\n\nsecond\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(TextInputs.expand(java.util.List.of("zero", "-"))).containsExactly("zero", "first", "second");
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void unknownOptionIsOneLineWithSuggestionsAndExitCode2() {
        Run r = run("train", "image-classifier", "--model.num_latent=3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("error: unknown option --model.num_latent (did you mean " + "--model.num_latents")
                .doesNotContain("\tat ");
    }

    @Test
    void badValueNamesOptionAndExpectedType() {
        Run r = run("train", "clm", "--trainer.max_steps=ten");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("invalid value 'ten' for --trainer.max_steps: expected an integer");
    }

    @Test
    void outOfRangeValueIsRejectedBeforeTraining() {
        Run r = run("train", "image-classifier", "--trainer.accumulate_grad_batches=0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("trainer.accumulate_grad_batches (0) must be >= 1");
    }

    @Test
    void unknownTaskListsTheValidOnes() {
        Run r = run("train", "imageclassifier");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .contains("unknown task 'imageclassifier'; valid: image-classifier, mlm, text-classifier,"
                        + " clm, symbolic-audio");
    }

    @Test
    void printConfigShowsResolvedOptionsFromFileAndCommandLine(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("c.json");
        Files.writeString(cfg, "{\"model\": {\"num_latents\": 12}, \"data\": {\"batch_size\": 8}}");
        Run r = run("train", "image-classifier", "--config", cfg.toString(), "--data.batch_size=32", "--print_config");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("num_latents: 12")
                .contains("batch_size: 32")
                .contains("num_cross_attention_layers:");
    }

    @Test
    void trainsAndValidatesATinyClassifier(@TempDir Path tmp) {
        Run r = run(
                "train",
                "image-classifier",
                "--model.num_latents=4",
                "--model.num_latent_channels=16",
                "--model.encoder.num_frequency_bands=2",
                "--model.encoder.num_self_attention_heads=2",
                "--model.encoder.num_self_attention_layers_per_block=1",
                "--model.decoder.num_output_query_channels=16",
                "--data.batch_size=8",
                "--trainer.max_steps=6",
                "--trainer.val_check_interval=3",
                "--trainer.limit_val_batches=2",
                "--trainer.default_root_dir=" + tmp);
        assertThat(r.code()).as(r.err()).isZero();
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches("run=\\S+ val_loss=\\d+\\.\\d+ val_acc=\\d+\\.\\d+");
        Path runDir = Path.of(last.substring(4, last.indexOf(' ')));
        assertThat(runDir.resolve("metrics.csv")).exists();
        assertThat(runDir.resolve("curves.png")).exists();
        assertThat(runDir.resolve("checkpoints/best/config.json")).exists();

        Run v = run(
                "validate",
                "image-classifier",
                "--checkpoint",
                runDir.resolve("checkpoints/best").toString(),
                "--trainer.limit_val_batches=2");
        assertThat(v.code()).as(v.err()).isZero();
        assertThat(v.out()).matches("(?s)val_loss=\\d+\\.\\d+ val_acc=\\d+\\.\\d+ examples=16\\s*");
    }
}
