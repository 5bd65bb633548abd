package dev.perceiver.inference.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.model.config.ConfigJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {
    @TempDir
    Path dir;

    private static float n(int v) {
        return ((float) (v / 255.0) - 0.5f) / 0.5f;
    }

    @Test
    void mnistStyleNormalisesGrayWithoutResizing() {
        ImagePreprocessor pre =
                new ImagePreprocessor(ImageProcessorConfig.defaults(new int[] {2, 3, 1}), new int[] {2, 3, 1});
        float[] out = pre.preprocess(new Pixels(2, 3, 1, new int[] {0, 255, 128, 1, 64, 200}));
        // ((float) (v / 255) - 0.5) / 0.5 in float32
        assertThat(out).containsExactly(-1f, 1f, 0.003921628f, n(1), n(64), n(200));
        assertThat(n(64)).isCloseTo(64 / 127.5f - 1, org.assertj.core.api.Assertions.within(1e-7f));
    }

    @Test
    void rgbImageIsConvertedToLumaForSingleChannelModels() {
        ImagePreprocessor pre =
                new ImagePreprocessor(ImageProcessorConfig.defaults(new int[] {1, 2, 1}), new int[] {1, 2, 1});
        // luma (19595 R + 38470 G + 7471 B + 32768) >> 16: pure red -> 76, pure green -> 150
        float[] out = pre.preprocess(new Pixels(1, 2, 3, new int[] {255, 0, 0, 0, 255, 0}));
        assertThat(out).containsExactly(n(76), n(150));
    }

    @Test
    void imagenetStatisticsPerChannel() {
        ImageProcessorConfig c = new ImageProcessorConfig(
                false,
                false,
                new int[] {1, 1},
                false,
                new int[] {1, 1},
                Resample.BICUBIC,
                true,
                1.0 / 255,
                true,
                new double[] {0.485, 0.456, 0.406},
                new double[] {0.229, 0.224, 0.225},
                true);
        float[] out =
                new ImagePreprocessor(c, new int[] {1, 1, 3}).preprocess(new Pixels(1, 1, 3, new int[] {255, 0, 51}));
        assertThat(out)
                .containsExactly(
                        (1f - 0.485f) / 0.229f, (0f - 0.456f) / 0.224f, ((float) (51 / 255.0) - 0.406f) / 0.225f);
    }

    @Test
    void grayImageIsReplicatedForRgbModels() {
        ImageProcessorConfig c = new ImageProcessorConfig(
                false,
                false,
                new int[] {1, 1},
                false,
                new int[] {1, 1},
                Resample.BICUBIC,
                true,
                1.0 / 255,
                false,
                new double[] {0},
                new double[] {1},
                true);
        float[] out = new ImagePreprocessor(c, new int[] {1, 1, 3}).preprocess(new Pixels(1, 1, 1, new int[] {51}));
        assertThat(out).containsExactly(0.2f, 0.2f, 0.2f);
    }

    @Test
    void centerCropTakesSizeOverCropSizeOfTheShorterSide() {
        // size 4x4, crop_size 8x8: crop int(4 / 8 * min(10, 6)) = 3 rows and columns at top (10 - 3) // 2 = 3,
        // left (6 - 3) // 2 = 1; then resized to 4x4
        ImageProcessorConfig c = new ImageProcessorConfig(
                true,
                true,
                new int[] {8, 8},
                true,
                new int[] {4, 4},
                Resample.NEAREST,
                false,
                1.0,
                false,
                new double[] {0},
                new double[] {1},
                true);
        int[] values = new int[60];
        for (int i = 0; i < 60; i++) {
            values[i] = i;
        }
        Pixels image = new Pixels(10, 6, 1, values);
        ImagePreprocessor pre = new ImagePreprocessor(c, new int[] {4, 4, 1});
        Pixels crop = pre.centerCrop(image);
        assertThat(crop.height()).isEqualTo(3);
        assertThat(crop.width()).isEqualTo(3);
        assertThat(crop.data()).containsExactly(19, 20, 21, 25, 26, 27, 31, 32, 33);
        assertThat(pre.preprocess(image)).hasSize(16);
    }

    @Test
    void centerCropLargerThanImagePadsWithZeros() {
        ImageProcessorConfig c = new ImageProcessorConfig(
                true,
                true,
                new int[] {1, 1},
                false,
                new int[] {2, 3},
                Resample.BICUBIC,
                false,
                1.0,
                false,
                new double[] {0},
                new double[] {1},
                true);
        ImagePreprocessor pre = new ImagePreprocessor(c, new int[] {2, 3, 1});
        Pixels crop = pre.centerCrop(new Pixels(1, 1, 1, new int[] {9}));
        // 2x3 crop: the pixel is padded by ceil(1 / 2) = 1 row above and ceil(2 / 2) = 1 column to the left
        assertThat(crop.data()).containsExactly(0, 0, 0, 0, 9, 0);
    }

    @Test
    void wrongSizeWithoutResizeIsAnError() {
        ImagePreprocessor pre =
                new ImagePreprocessor(ImageProcessorConfig.defaults(new int[] {28, 28, 1}), new int[] {28, 28, 1});
        assertThatThrownBy(() -> pre.preprocess(new Pixels(32, 30, 1, new int[32 * 30])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32x30")
                .hasMessageContaining("28x28");
    }

    @Test
    void configContradictingTheModelIsRejected() {
        ImageProcessorConfig rgb = ImageProcessorConfig.defaults(new int[] {4, 4, 3});
        assertThatThrownBy(() -> new ImagePreprocessor(rgb, new int[] {4, 4, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single_channel (false)");
        assertThatThrownBy(() -> new ImagePreprocessor(rgb, new int[] {5, 4, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 4x4");
        assertThatThrownBy(() -> ImageProcessorConfig.defaults(new int[] {4, 4, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image_shape [4, 4, 2]");
    }

    @Test
    void readsHuggingFaceProcessorJson() throws IOException {
        // as saved by the reference's MNIST conversion (older Hugging Face versions write sizes as ints)
        Files.writeString(dir.resolve(ImageProcessorConfig.FILE), """
                {"channels_last": true, "crop_size": 256, "do_center_crop": false, "do_normalize": true,
                 "do_rescale": true, "do_resize": false, "image_mean": 0.5, "image_std": 0.5,
                 "image_processor_type": "PerceiverImageClassifierInputProcessor", "resample": 3,
                 "rescale_factor": 0.00392156862745098, "single_channel": true, "size": {"height": 224, "width": 224}}
                """);
        ImageProcessorConfig c = ImageProcessorConfig.read(dir, new int[] {28, 28, 1});
        assertThat(c)
                .isEqualTo(new ImageProcessorConfig(
                        true,
                        false,
                        new int[] {256, 256},
                        false,
                        new int[] {224, 224},
                        Resample.BICUBIC,
                        true,
                        1.0 / 255,
                        true,
                        new double[] {0.5},
                        new double[] {0.5},
                        true));
        // the size of a processor that does not resize is not checked against the model
        new ImagePreprocessor(c, new int[] {28, 28, 1});
        assertThat(c.cropSize()).containsExactly(256, 256);
        assertThat(ImageProcessorConfig.fromJson(c.toJson())).isEqualTo(c);
    }

    @Test
    void savedConfigReadsBack() throws IOException {
        ImageProcessorConfig c = ImageProcessorConfig.defaults(new int[] {32, 40, 3});
        c.save(dir);
        assertThat(ImageProcessorConfig.read(dir, new int[] {1, 1, 1})).isEqualTo(c);
        assertThat(c.cropSize()).containsExactly(37, 46);
        assertThat(c.resample()).isEqualTo(Resample.BICUBIC);
    }

    @Test
    void invalidJsonNamesFileAndField() throws IOException {
        Files.writeString(dir.resolve(ImageProcessorConfig.FILE), "{\"size\": {\"shortest_edge\": 224}}");
        assertThatThrownBy(() -> ImageProcessorConfig.read(dir, new int[] {4, 4, 3}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(ImageProcessorConfig.FILE)
                .hasMessageContaining("size");
        assertThatThrownBy(() -> ImageProcessorConfig.fromJson(ConfigJson.parse("{\"image_std\": [0.5, 0]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image_std");
    }
}
