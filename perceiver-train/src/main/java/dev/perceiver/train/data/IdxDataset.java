package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * An in-memory image classification data set from IDX files (MNIST, Fashion-MNIST).
 *
 * <p>Images are served normalised as in {@link ImageNormalization} ({@code [-1, 1]}) with channels-last shape
 * {@code (rows, cols, 1)}, as the Perceiver image classifier expects.
 */
public final class IdxDataset {
    /** Number of classes of MNIST and Fashion-MNIST. */
    public static final int DEFAULT_NUM_CLASSES = 10;

    private final IdxImages images;
    private final int[] labels;
    private final int numClasses;

    /**
     * A batch of images and labels.
     *
     * @param x normalised images, shape {@code (batchSize, height, width, channels)} flattened row-major
     * @param y class labels, shape {@code (batchSize)}
     * @param batchSize number of examples
     * @param height image height
     * @param width image width
     * @param channels number of channels (1)
     */
    public record Batch(float[] x, long[] y, int batchSize, int height, int width, int channels) {
        /** Shape of {@code x}: {@code {batchSize, height, width, channels}}. */
        public long[] xShape() {
            return new long[] {batchSize, height, width, channels};
        }
    }

    /**
     * Creates a data set; validates that counts match and labels are in {@code 0..numClasses-1}.
     *
     * @param name used in error messages (e.g. the image file)
     * @throws IOException naming {@code name} when the data are inconsistent
     */
    public IdxDataset(IdxImages images, int[] labels, int numClasses, String name) throws IOException {
        if (images.count() != labels.length) {
            throw new IOException(
                    name + ": label count " + labels.length + " does not match image count " + images.count());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IOException(
                        name + ": label " + labels[i] + " of example " + i + " out of range 0.." + (numClasses - 1));
            }
        }
        this.images = images;
        this.labels = labels;
        this.numClasses = numClasses;
    }

    /** Loads an image file and a label file (gzip or raw) with {@value #DEFAULT_NUM_CLASSES} classes. */
    public static IdxDataset load(Path imagesFile, Path labelsFile) throws IOException {
        return load(imagesFile, labelsFile, DEFAULT_NUM_CLASSES);
    }

    /**
     * Loads an image file and a label file (gzip or raw).
     *
     * @throws IOException naming the offending file: bad magic, truncated data, count mismatch, label out of range
     */
    public static IdxDataset load(Path imagesFile, Path labelsFile, int numClasses) throws IOException {
        IdxImages images = IdxImages.read(imagesFile);
        int[] labels = IdxLabels.read(labelsFile);
        return new IdxDataset(images, labels, numClasses, labelsFile.toString());
    }

    /**
     * Loads the training or test split from a directory with the standard MNIST file names:
     * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte} (training) or {@code t10k-*} /
     * {@code test-*} (test), each optionally with a {@code .gz} suffix.
     *
     * @throws IOException if a file is missing or invalid
     */
    public static IdxDataset loadDirectory(Path dir, boolean train) throws IOException {
        List<String> prefixes = train ? List.of("train") : List.of("t10k", "test");
        Path images = find(dir, prefixes, "images-idx3-ubyte");
        Path labels = find(dir, prefixes, "labels-idx1-ubyte");
        return load(images, labels);
    }

    private static Path find(Path dir, List<String> prefixes, String stem) throws IOException {
        for (String prefix : prefixes) {
            for (String suffix : List.of(".gz", "")) {
                Path p = dir.resolve(prefix + "-" + stem + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new IOException(dir + ": no " + String.join("/", prefixes) + "-" + stem + "[.gz] file");
    }

    /** Number of examples. */
    public int size() {
        return labels.length;
    }

    /** Image height. */
    public int height() {
        return images.rows();
    }

    /** Image width. */
    public int width() {
        return images.cols();
    }

    /** Number of channels (always 1). */
    public int channels() {
        return 1;
    }

    /** Image shape, channels last: {@code {height, width, 1}}. */
    public int[] imageShape() {
        return new int[] {height(), width(), 1};
    }

    /** Number of classes; labels lie in {@code 0..numClasses-1}. */
    public int numClasses() {
        return numClasses;
    }

    /** The underlying raw images. */
    public IdxImages images() {
        return images;
    }

    /** Normalised image {@code i}, shape {@code (height, width, 1)} flattened row-major. */
    public float[] image(int i) {
        float[] out = new float[height() * width()];
        copyImage(i, out, 0);
        return out;
    }

    /** Class label of example {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** Builds a batch from the given example indices; {@code x} has shape {@code (indices.length, h, w, 1)}. */
    public Batch batch(int[] indices) {
        int pixels = height() * width();
        float[] x = new float[indices.length * pixels];
        long[] y = new long[indices.length];
        for (int b = 0; b < indices.length; b++) {
            copyImage(indices[b], x, b * pixels);
            y[b] = labels[indices[b]];
        }
        return new Batch(x, y, indices.length, height(), width(), 1);
    }

    /**
     * The batches of one epoch, built lazily. With {@code shuffle} the order is a permutation determined by
     * {@code seed} and {@code epoch} (see {@link EpochOrder}); the last batch may be smaller.
     */
    public Iterable<Batch> epoch(int batchSize, boolean shuffle, long seed, int epoch) {
        List<int[]> batches = EpochOrder.batches(EpochOrder.order(size(), shuffle, seed, epoch), batchSize, false);
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < batches.size();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return batch(batches.get(next++));
            }
        };
    }

    private void copyImage(int i, float[] dst, int offset) {
        byte[] px = images.pixels();
        int pixels = height() * width();
        int src = i * pixels;
        for (int k = 0; k < pixels; k++) {
            dst[offset + k] = ImageNormalization.normalize(px[src + k]);
        }
    }
}
