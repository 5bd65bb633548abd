package dev.perceiver.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The Fashion-MNIST subset embedded in this module's resources under {@value #RESOURCE_DIR}: the first 10000
 * training images and the first 2000 test images of Fashion-MNIST (Zalando Research, MIT licence), 28x28
 * grey-scale, 10 classes.
 */
public final class FashionMnistSubset {
    /** Classpath folder holding the gzip IDX files. */
    public static final String RESOURCE_DIR = "/datasets/fashion-mnist-subset/";

    /** Class names by label id. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnistSubset() {}

    /** Loads both parts: {@code train} (10000 examples) and {@code valid} = test part (2000 examples). */
    public static DataSplit<IdxDataset> load() throws IOException {
        return new DataSplit<>(load(true), load(false));
    }

    /** Loads the training ({@code true}, 10000 examples) or test ({@code false}, 2000 examples) part. */
    public static IdxDataset load(boolean train) throws IOException {
        String prefix = RESOURCE_DIR + (train ? "train" : "test");
        IdxImages images;
        int[] labels;
        String imagesName = prefix + "-images-idx3-ubyte.gz";
        String labelsName = prefix + "-labels-idx1-ubyte.gz";
        try (InputStream in = open(imagesName)) {
            images = IdxImages.read(in, imagesName);
        }
        try (InputStream in = open(labelsName)) {
            labels = IdxLabels.read(in, labelsName);
        }
        return new IdxDataset(images, labels, CLASS_NAMES.size(), labelsName);
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = FashionMnistSubset.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException(resource + ": resource not found on the classpath");
        }
        return in;
    }
}
