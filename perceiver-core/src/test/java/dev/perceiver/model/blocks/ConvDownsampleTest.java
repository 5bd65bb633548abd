package dev.perceiver.model.blocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.model.config.ImageEncoderConfig;
import dev.perceiver.model.config.ImagePreprocessing;
import org.junit.jupiter.api.Test;

/** The conv stem's shapes and state-dict names, and the image preprocessing fields of the encoder config. */
class ConvDownsampleTest {
    @Test
    void downsamplesAbout4xAsTransformersConv2DDownsample() {
        assertThat(ConvDownsample.outputSize(224)).isEqualTo(55);
        assertThat(ConvDownsample.outputSize(24)).isEqualTo(5);
        try (NDManager m = NDManager.newBaseManager()) {
            ConvDownsample d = new ConvDownsample(m, 3, 8, 0.02);
            assertThat(d.stateDict().keySet())
                    .containsExactly(
                            "conv.weight",
                            "batch_norm.weight",
                            "batch_norm.bias",
                            "batch_norm.running_mean",
                            "batch_norm.running_var",
                            "batch_norm.num_batches_tracked");
            NDArray y = d.forward(m.randomNormal(new Shape(2, 3, 24, 30)));
            assertThat(y.getShape()).isEqualTo(new Shape(2, 8, 5, ConvDownsample.outputSize(30)));
            // after ReLU and max pooling nothing is negative
            assertThat(y.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThatThrownBy(() -> d.forward(m.zeros(new Shape(1, 3, 4, 9))))
                    .hasMessageContaining("height and width >= 5");
        }
    }

    @Test
    void preprocessingFieldsRoundTripAndTheDefaultWritesNothing() {
        ImageEncoderConfig conv = ImageEncoderConfig.builder()
                .preprocessing(ImagePreprocessing.conv(64, 56, 56))
                .build();
        ImageEncoderConfig back = ImageEncoderConfig.fromJson(conv.toJson());
        assertThat(back.preprocessing()).isEqualTo(conv.preprocessing());
        ImageEncoderConfig learned = ImageEncoderConfig.builder()
                .preprocessing(ImagePreprocessing.conv1x1(256, 128))
                .build();
        assertThat(ImageEncoderConfig.fromJson(learned.toJson()).preprocessing())
                .isEqualTo(learned.preprocessing());
        String plain = ConfigJson.toString(ImageEncoderConfig.builder().build().toJson());
        assertThat(plain).doesNotContain("prep_type").doesNotContain("max_resolution");
        assertThatThrownBy(() -> new ImagePreprocessing("patches", 1, 1, null))
                .hasMessageContaining("prep_type 'patches' must be");
        assertThatThrownBy(() -> ImagePreprocessing.conv(64, 56))
                .hasMessageContaining("max_resolution [56] must be (height, width)");
    }
}
