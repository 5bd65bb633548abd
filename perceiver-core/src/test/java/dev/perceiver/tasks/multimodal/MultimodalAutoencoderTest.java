package dev.perceiver.tasks.multimodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.model.config.DecoderConfig;
import dev.perceiver.model.config.EncoderConfig;
import dev.perceiver.model.config.PerceiverIOConfig;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.registry.ModelKinds;
import dev.perceiver.nn.Parameter;
import dev.perceiver.tasks.huggingface.HuggingFaceModelKinds;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The multimodal autoencoder's pieces: shapes, modality padding, masking, subsampled output points, input errors. */
class MultimodalAutoencoderTest {
    @TempDir
    Path tmp;

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** 2 frames of 3x8x8, 4 audio samples per frame in patches of 2, 3 classes, 4 and 2 Fourier bands. */
    private static PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig> tinyConfig() {
        EncoderConfig e = EncoderConfig.builder()
                .numCrossAttentionHeads(1)
                .numSelfAttentionHeads(2)
                .numSelfAttentionLayersPerBlock(1)
                .build();
        MultimodalEncoderConfig encoder = new MultimodalEncoderConfig(e, 2, 8, 3, 4, 1, 4, 4, 2, 2, 3, 4);
        DecoderConfig d = DecoderConfig.builder()
                .numCrossAttentionHeads(1)
                .numCrossAttentionQkChannels(16)
                .numCrossAttentionVChannels(16)
                .crossAttentionResidual(false)
                .build();
        MultimodalDecoderConfig decoder = new MultimodalDecoderConfig(d, new int[] {2, 8, 8}, 6, 5, 2);
        return PerceiverIOConfig.builder(encoder, decoder)
                .numLatents(4)
                .numLatentChannels(16)
                .build();
    }

    private NDArray image(long b) {
        return manager.randomNormal(new Shape(b, 2, 3, 8, 8));
    }

    private NDArray audio(long b) {
        return manager.randomNormal(new Shape(b, 8, 1));
    }

    @Test
    void channelCountsFollowTheModalitiesAndThePadding() {
        MultimodalEncoderConfig e = tinyConfig().encoder();
        // audio: 2 samples + 1 * (2 * 2 + 1); video: 1 * 4 * 4 * 3 + 3 * (2 * 4 + 1); label: 3 classes
        assertThat(e.audioChannels()).isEqualTo(7);
        assertThat(e.imageChannelsWithPositions()).isEqualTo(75);
        assertThat(e.numInputChannels()).isEqualTo(79);
        // queries: audio 5, video 27, label 5 -> 27 + 2
        assertThat(MultimodalDecoder.numQueryChannels(e, tinyConfig().decoder()))
                .isEqualTo(29);
    }

    @Test
    void preprocessorPadsEachModalityWithItsVectorAndMasksTheLabel() {
        MultimodalAutoencoder model = new MultimodalAutoencoder(manager, tinyConfig());
        MultimodalPreprocessor p = (MultimodalPreprocessor) model.children().get("input_preprocessor");
        NDArray x = p.forward(image(2), audio(2), manager.ones(new Shape(2, 3)));
        // 8 / 2 = 4 audio patches, 2 * 2 * 2 = 8 video patches, 1 label token, 79 channels
        assertThat(x.getShape()).isEqualTo(new Shape(2, 13, 79));
        Map<String, Parameter> params = p.stateDict();
        assertThat(params.get("padding.audio").shape()).isEqualTo(new Shape(1, 72));
        assertThat(params.get("padding.image").shape()).isEqualTo(new Shape(1, 4));
        assertThat(params.get("padding.label").shape()).isEqualTo(new Shape(1, 76));
        float[] audioPad = params.get("padding.audio").array().toFloatArray();
        assertThat(x.get("1, 3, 7:").toFloatArray()).containsExactly(audioPad);
        float[] imagePad = params.get("padding.image").array().toFloatArray();
        assertThat(x.get("0, 11, 75:").toFloatArray()).containsExactly(imagePad);
        // the label is replaced by its mask token whatever its values
        assertThat(x.get("0, 12").toFloatArray())
                .containsExactly(params.get("mask.label").array().toFloatArray());
        NDArray noLabel = p.forward(x.getManager().zeros(new Shape(1, 2, 3, 8, 8)), audio(1), null);
        assertThat(noLabel.get("0, 12").toFloatArray())
                .containsExactly(params.get("mask.label").array().toFloatArray());
    }

    @Test
    void outputsHaveTheShapesOfTheChosenPoints() {
        MultimodalAutoencoder model = new MultimodalAutoencoder(manager, tinyConfig());
        MultimodalOutput all = model.forward(image(2), audio(2), null, OutputPoints.ALL);
        assertThat(all.audio().getShape()).isEqualTo(new Shape(2, 8));
        assertThat(all.image().getShape()).isEqualTo(new Shape(2, 128, 3));
        assertThat(all.label().getShape()).isEqualTo(new Shape(2, 3));
        assertThat(model.encode(image(2), audio(2), null).getShape()).isEqualTo(new Shape(2, 4, 16));
        OutputPoints few = new OutputPoints(manager.create(new long[] {5, 0, 127}), manager.create(new long[] {2}));
        MultimodalOutput some = model.forward(image(2), audio(2), null, few);
        assertThat(some.audio().getShape()).isEqualTo(new Shape(2, 2));
        assertThat(some.image().getShape()).isEqualTo(new Shape(2, 3, 3));
    }

    @Test
    void subsampledPointsGiveTheSameValuesAsDecodingAllPoints() {
        MultimodalAutoencoder model = new MultimodalAutoencoder(manager, tinyConfig());
        NDArray image = image(1);
        NDArray audio = audio(1);
        MultimodalOutput all = model.forward(image, audio, null, OutputPoints.ALL);
        long[] pixels = {77, 3, 64};
        long[] patches = {3, 1};
        MultimodalOutput some =
                model.forward(image, audio, null, new OutputPoints(manager.create(pixels), manager.create(patches)));
        for (int i = 0; i < pixels.length; i++) {
            assertClose(some.image().get("0, " + i), all.image().get("0, " + pixels[i]));
        }
        // audio patch p is samples 2p, 2p+1 of the full output
        assertClose(some.audio().get("0, 0:2"), all.audio().get("0, 6:8"));
        assertClose(some.audio().get("0, 2:4"), all.audio().get("0, 2:4"));
        assertClose(some.label(), all.label());
    }

    private static void assertClose(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        assertThat(x).hasSameSizeAs(y);
        for (int i = 0; i < x.length; i++) {
            assertThat(Math.abs(x[i] - y[i])).isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void badInputsAreRefusedNamingTheArgument() {
        MultimodalAutoencoder model = new MultimodalAutoencoder(manager, tinyConfig());
        assertThatThrownBy(() -> model.forward(image(1), manager.ones(new Shape(1, 9, 1)), null, OutputPoints.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("audio shape (1, 9, 1) must be (batch, 8, 1)");
        assertThatThrownBy(
                        () -> model.forward(manager.ones(new Shape(1, 2, 3, 8, 6)), audio(1), null, OutputPoints.ALL))
                .hasMessageContaining("image shape (1, 2, 3, 8, 6)")
                .hasMessageContaining("spatial_downsample 4");
        assertThatThrownBy(() -> model.forward(image(1), audio(1), manager.ones(new Shape(1, 4)), OutputPoints.ALL))
                .hasMessageContaining("label shape (1, 4) must be (batch, num_classes) = (1, 3)");
        assertThatThrownBy(() -> model.forward(image(2), audio(1), null, OutputPoints.ALL))
                .hasMessageContaining("audio batch size 1 must equal the image batch size 2");
        OutputPoints outside = new OutputPoints(manager.create(new long[] {0, 128}), null);
        assertThatThrownBy(() -> model.forward(image(1), audio(1), null, outside))
                .hasMessageContaining("subsampled_output_points.image holds index 128; valid: [0, 127]");
        OutputPoints negative = new OutputPoints(null, manager.create(new long[] {-1}));
        assertThatThrownBy(() -> model.forward(image(1), audio(1), null, negative))
                .hasMessageContaining("subsampled_output_points.audio holds index -1; valid: [0, 3]");
    }

    @Test
    void configErrorsNameTheField() {
        EncoderConfig e = EncoderConfig.defaults();
        assertThatThrownBy(() -> new MultimodalEncoderConfig(e, 2, 8, 3, 4, 1, 4, 5, 4, 2, 3, 4))
                .hasMessageContaining(
                        "num_frames * audio_samples_per_frame (10) must be divisible by samples_per_patch (4)");
        assertThatThrownBy(() -> new MultimodalEncoderConfig(e, 2, 10, 3, 4, 1, 4, 4, 2, 2, 3, 4))
                .hasMessageContaining("image_size (10) must be divisible by spatial_downsample (4)");
        assertThatThrownBy(() -> new MultimodalDecoderConfig(DecoderConfig.defaults(), new int[] {8, 8}, 6, 5, 2))
                .hasMessageContaining("output_image_shape [8, 8] must be (frames, h, w)");
    }

    @Test
    void configRoundTripsThroughItsJson() {
        PerceiverIOConfig<MultimodalEncoderConfig, MultimodalDecoderConfig> c = tinyConfig();
        ObjectNode json = c.toJson();
        var again = MultimodalModelKinds.MULTIMODAL_AUTOENCODER.readConfig(json);
        assertThat(again.toJson()).isEqualTo(json);
        assertThat(json.get("decoder").get("output_image_shape").toString()).isEqualTo("[2,8,8]");
    }

    @Test
    void theTransformersFolderLoadsAndSavesInTheProjectsLayout() throws Exception {
        Path dir = Path.of(getClass()
                .getResource("/dev/perceiver/model/io/torch/huggingface/multimodal")
                .toURI());
        assertThat(ModelKinds.installed().resolve("perceiver", java.util.List.of("PerceiverForMultimodalAutoencoding")))
                .isSameAs(HuggingFaceModelKinds.MULTIMODAL_AUTOENCODING);
        ModelFolder.Loaded hf = ModelFolder.load(dir, manager);
        assertThat(hf.kind()).isSameAs(MultimodalModelKinds.MULTIMODAL_AUTOENCODER);
        MultimodalAutoencoder model = (MultimodalAutoencoder) hf.model();
        // the fixture: d_model 393 = audio 4 + 385 + padding 4; queries 385 + 2
        assertThat(model.config().encoder().numInputChannels()).isEqualTo(393);
        assertThat(model.decoder().numQueryChannels()).isEqualTo(387);
        assertThat(model.config().decoder().base().numCrossAttentionQkChannels())
                .isEqualTo(32);
        Path saved = tmp.resolve("saved");
        ModelFolder.save(model, saved, Map.of());
        assertThat(ModelFolder.readConfig(saved).get("model_type").asText())
                .isEqualTo("perceiver-io-multimodal-autoencoder");
        ModelFolder.Loaded again = ModelFolder.load(saved, manager);
        Map<String, Parameter> b = again.model().stateDict();
        model.stateDict()
                .forEach((k, p) -> assertThat(b.get(k).array().toFloatArray())
                        .as(k)
                        .containsExactly(p.array().toFloatArray()));
        NDArray image = image(1);
        NDArray audio = manager.randomNormal(new Shape(1, 16, 1));
        assertClose(
                ((MultimodalAutoencoder) again.model())
                        .forward(image, audio, null, OutputPoints.ALL)
                        .label(),
                model.forward(image, audio, null, OutputPoints.ALL).label());
    }

    @Test
    void indexedPointsUnravelTheFlatIndexAndGridPointsSpanTheRange() {
        NDArray p = dev.perceiver.model.position.FourierFeatures.indexed(
                manager.create(new long[] {0, 9, 127}), new int[] {2, 8, 8}, "points");
        // 9 = (0, 1, 1); 127 = (1, 7, 7); -1 + 2 * i / size
        assertThat(p.toFloatArray()).containsExactly(-1f, -1f, -1f, -1f, -0.75f, -0.75f, 0f, 0.75f, 0.75f);
        NDArray g = dev.perceiver.model.position.FourierFeatures.grid(manager, new int[] {2, 3});
        assertThat(g.toFloatArray()).containsExactly(-1f, -1f, -1f, 0f, -1f, 1f, 1f, -1f, 1f, 0f, 1f, 1f);
        NDArray f = dev.perceiver.model.position.FourierFeatures.encode(
                manager.create(new float[] {0.5f}, new Shape(1, 1)), new int[] {4}, 2);
        // positions, sin(pi f p), cos(pi f p) for f in {1, 2}
        assertThat(f.toFloatArray())
                .containsExactly(new float[] {0.5f, 1f, 0f, 0f, -1f}, org.assertj.core.data.Offset.offset(1e-6f));
    }
}
