package dev.perceiver.train.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.model.CausalSequenceModel;
import dev.perceiver.model.PerceiverIO;
import dev.perceiver.model.config.ClassificationDecoderConfig;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.PerceiverARConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.config.TextDecoderConfig;
import dev.perceiver.model.config.TextEncoderConfig;
import dev.perceiver.model.registry.ModelKind;
import dev.perceiver.nn.Module;
import dev.perceiver.tasks.audio.AudioModelKinds;
import dev.perceiver.tasks.text.MaskedLanguageModel;
import dev.perceiver.tasks.text.TextModelKinds;
import dev.perceiver.tasks.vision.VisionModelKinds;
import dev.perceiver.train.TrainingTask;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The trainable tasks of {@code perceiver train TASK}: their default options (model, data, optimizer, lr_scheduler,
 * trainer; reference names) and how a model becomes a {@link TrainingTask}. Model fields that the reference links
 * from the data module ({@code image_shape}, {@code num_classes}, {@code vocab_size}, {@code max_seq_len}) are not
 * options; they are taken from the data.
 */
public enum TaskKind {
    IMAGE_CLASSIFIER("image-classifier", VisionModelKinds.IMAGE_CLASSIFIER, false),
    MLM("mlm", TextModelKinds.MASKED_LANGUAGE_MODEL, false),
    TEXT_CLASSIFIER("text-classifier", TextModelKinds.TEXT_CLASSIFIER, false),
    CLM("clm", TextModelKinds.CAUSAL_LANGUAGE_MODEL, true),
    SYMBOLIC_AUDIO("symbolic-audio", AudioModelKinds.SYMBOLIC_AUDIO_MODEL, true);

    private final String id;
    private final ModelKind<?, ?> modelKind;
    private final boolean cosine;

    TaskKind(String id, ModelKind<?, ?> modelKind, boolean cosine) {
        this.id = id;
        this.modelKind = modelKind;
        this.cosine = cosine;
    }

    /** Command-line name. */
    public String id() {
        return id;
    }

    /** The kind of model the task trains (model registry). */
    public ModelKind<?, ?> modelKind() {
        return modelKind;
    }

    /** Whether the task uses the cosine schedule (causal models) rather than constant with warmup. */
    public boolean cosineSchedule() {
        return cosine;
    }

    /** The task of a command-line name; the error lists the valid ones. */
    public static TaskKind of(String id) {
        for (TaskKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown task '" + id + "'; valid: "
                + Arrays.stream(values()).map(TaskKind::id).collect(Collectors.joining(", ")));
    }

    /** The full default option tree. */
    public ObjectNode defaults() {
        ObjectNode root = ConfigJson.MAPPER.createObjectNode();
        root.set("model", modelDefaults());
        root.set("data", dataDefaults());
        ObjectNode opt = root.putObject("optimizer");
        opt.put("name", "AdamW");
        opt.put("lr", 1e-3);
        opt.putArray("betas").add(0.9).add(0.999);
        opt.put("eps", 1e-8);
        opt.put("weight_decay", 0.01);
        ObjectNode lrs = root.putObject("lr_scheduler");
        ObjectNode trainer = root.putObject("trainer");
        trainer.put("max_steps", -1L);
        trainer.put("max_epochs", -1L);
        trainer.putNull("max_time");
        trainer.put("val_check_interval", 1.0);
        trainer.put("limit_val_batches", -1L);
        trainer.put("accumulate_grad_batches", 1L);
        trainer.put("gradient_clip_val", 0.0);
        trainer.put("log_every_n_steps", 50L);
        trainer.put("default_root_dir", "runs");
        root.put("seed_everything", 0L);
        switch (this) {
            case IMAGE_CLASSIFIER -> {
                // lr 2e-3 without clipping diverged (NaN loss at step 578 of a seed-0 run); these settings are stable
                opt.put("lr", 1e-3);
                lrs.put("warmup_steps", 200L);
                trainer.put("max_steps", 2500L);
                trainer.put("val_check_interval", 500.0);
                trainer.put("gradient_clip_val", 1.0);
            }
            case MLM, TEXT_CLASSIFIER -> {
                lrs.put("warmup_steps", 100L);
                trainer.put("max_epochs", 10L);
            }
            case CLM, SYMBOLIC_AUDIO -> {
                // the embedded text is small (about 50 KB): longer runs overfit (val_loss 2.72 at step 100, 3.39 at
                // step 400 with these settings)
                lrs.put("warmup_steps", 30L);
                lrs.put("num_cycles", 0.5);
                lrs.put("min_fraction", 0.0);
                trainer.put("max_steps", 150L);
                trainer.put("val_check_interval", 50.0);
                trainer.put("log_every_n_steps", 10L);
                trainer.put("gradient_clip_val", 0.5);
            }
            default -> throw new IllegalStateException();
        }
        return root;
    }

    /** Model options; the fields linked from the data (image_shape, num_classes, vocab_size, max_seq_len) left out. */
    private ObjectNode modelDefaults() {
        ObjectNode m = switch (this) {
            case IMAGE_CLASSIFIER -> imageClassifierDefaults();
            case MLM -> maskedLanguageModelDefaults();
            case TEXT_CLASSIFIER -> textClassifierDefaults();
            case CLM, SYMBOLIC_AUDIO -> causalModelDefaults(this == SYMBOLIC_AUDIO);
        };
        m.remove(List.of("activation_checkpointing", "activation_offloading"));
        return m;
    }

    private static ObjectNode imageClassifierDefaults() {
        EncoderConfig e = EncoderConfig.builder()
                .numCrossAttentionHeads(1)
                .numSelfAttentionHeads(4)
                .numSelfAttentionLayersPerBlock(2)
                .initScale(0.1)
                .build();
        DecoderConfig d =
                DecoderConfig.builder().numCrossAttentionHeads(1).initScale(0.1).build();
        ObjectNode m = PerceiverIOConfig.builder(
                        ImageEncoderConfig.builder()
                                .base(e)
                                .numFrequencyBands(8)
                                .build(),
                        ClassificationDecoderConfig.builder()
                                .base(d)
                                .numOutputQueryChannels(64)
                                .build())
                .numLatents(32)
                .numLatentChannels(64)
                .build()
                .toJson();
        ((ObjectNode) m.get("encoder")).remove("image_shape");
        ((ObjectNode) m.get("decoder")).remove("num_classes");
        return m;
    }

    private static EncoderConfig textEncoderBase() {
        return EncoderConfig.builder()
                .numCrossAttentionHeads(4)
                .numSelfAttentionHeads(4)
                .numSelfAttentionLayersPerBlock(3)
                .dropout(0.1)
                .build();
    }

    private static ObjectNode maskedLanguageModelDefaults() {
        DecoderConfig d = DecoderConfig.builder()
                .numCrossAttentionHeads(4)
                .crossAttentionResidual(false)
                .dropout(0.1)
                .build();
        ObjectNode m = PerceiverIOConfig.builder(
                        TextEncoderConfig.builder()
                                .base(textEncoderBase())
                                .numInputChannels(64)
                                .build(),
                        TextDecoderConfig.builder().base(d).build())
                .numLatents(64)
                .numLatentChannels(128)
                .build()
                .toJson();
        ((ObjectNode) m.get("encoder")).remove(List.of("vocab_size", "max_seq_len", "params"));
        ((ObjectNode) m.get("decoder")).remove(List.of("vocab_size", "max_seq_len"));
        return m;
    }

    private static ObjectNode textClassifierDefaults() {
        DecoderConfig d =
                DecoderConfig.builder().numCrossAttentionHeads(1).dropout(0.1).build();
        ObjectNode m = PerceiverIOConfig.builder(
                        TextEncoderConfig.builder()
                                .base(textEncoderBase())
                                .numInputChannels(64)
                                .build(),
                        ClassificationDecoderConfig.builder()
                                .base(d)
                                .numOutputQueryChannels(64)
                                .build())
                .numLatents(64)
                .numLatentChannels(128)
                .build()
                .toJson();
        ((ObjectNode) m.get("encoder")).remove(List.of("vocab_size", "max_seq_len", "params"));
        ((ObjectNode) m.get("decoder")).remove("num_classes");
        return m;
    }

    private static ObjectNode causalModelDefaults(boolean audio) {
        ObjectNode m = PerceiverARConfig.builder()
                .numHeads(4)
                .numSelfAttentionLayers(3)
                .crossAttentionDropout(0.1)
                .maxSeqLen(256)
                .maxLatents(64)
                .numChannels(128)
                .outputNorm(true)
                .outputBias(!audio)
                .absPosEmb(!audio)
                .build()
                .toJson();
        m.remove(List.of("vocab_size", "max_seq_len"));
        return m;
    }

    private ObjectNode dataDefaults() {
        ObjectNode d = ConfigJson.MAPPER.createObjectNode();
        d.putNull("dataset_dir");
        switch (this) {
            case IMAGE_CLASSIFIER -> d.put("batch_size", 64L);
            case MLM -> {
                d.put("tokenizer", Tokenizer.BYTES_TOKENIZER_NAME);
                d.put("valid_fraction", 0.1);
                d.put("max_seq_len", 256L);
                d.put("mask_prob", 0.15);
                d.put("mask_words", true);
                d.put("add_eos_token", true);
                d.put("batch_size", 16L);
            }
            case TEXT_CLASSIFIER -> {
                d.put("tokenizer", Tokenizer.BYTES_TOKENIZER_NAME);
                d.putNull("train_file");
                d.putNull("valid_file");
                d.put("max_seq_len", 512L);
                d.put("batch_size", 16L);
            }
            case CLM -> {
                d.put("tokenizer", Tokenizer.BYTES_TOKENIZER_NAME);
                d.put("valid_fraction", 0.1);
                d.put("max_seq_len", 256L);
                d.put("random_train_truncation", false);
                d.put("random_min_seq_len", 64L);
                d.put("batch_size", 16L);
            }
            case SYMBOLIC_AUDIO -> {
                d.put("max_seq_len", 512L);
                d.put("batch_size", 8L);
            }
            default -> throw new IllegalStateException();
        }
        d.putNull("valid_batch_size");
        d.put("shuffle", true);
        return d;
    }

    /** The model config with the data's linked fields filled in. */
    public ObjectNode modelConfig(JsonNode modelOptions, ObjectNode links) {
        ObjectNode m = modelOptions.deepCopy();
        merge(m, links);
        return m;
    }

    private static void merge(ObjectNode target, JsonNode source) {
        source.fields().forEachRemaining(e -> {
            if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode t) {
                merge(t, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }

    /** The training task of a model of this task's type. */
    public TrainingTask task(Module model, LoadedData data) {
        return switch (this) {
            case IMAGE_CLASSIFIER -> new ClassificationTask((PerceiverIO) model, data.labels(), null);
            case TEXT_CLASSIFIER -> new ClassificationTask((PerceiverIO) model, data.labels(), data.tokenizer());
            case MLM -> new MaskedLmTask((MaskedLanguageModel) model, data.tokenizer());
            case CLM -> new CausalLmTask((CausalSequenceModel) model, data.tokenizer());
            case SYMBOLIC_AUDIO -> new CausalLmTask((CausalSequenceModel) model, null);
        };
    }
}
