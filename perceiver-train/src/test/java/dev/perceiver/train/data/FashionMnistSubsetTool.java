package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds the embedded Fashion-MNIST subset: the first {@code nTrain} training and {@code nTest} test examples
 * of a full Fashion-MNIST folder, written as gzip IDX files named {@code {train,test}-{images-idx3,labels-idx1}
 * -ubyte.gz}.
 *
 * <p>Usage: {@code FashionMnistSubsetTool SOURCE_DIR TARGET_DIR [nTrain=10000] [nTest=2000]}, e.g. with
 * {@code SOURCE_DIR=/usr/share/datasets/fashion-mnist} (Debian package dataset-fashion-mnist).
 */
public final class FashionMnistSubsetTool {
    private FashionMnistSubsetTool() {}

    /** Command-line entry point; see the class documentation. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: FashionMnistSubsetTool SOURCE_DIR TARGET_DIR [nTrain] [nTest]");
            System.exit(2);
        }
        int nTrain = args.length > 2 ? Integer.parseInt(args[2]) : 10000;
        int nTest = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        write(Path.of(args[0]), Path.of(args[1]), nTrain, nTest);
    }

    /** Reads the full training and test parts from {@code source} and writes their heads to {@code target}. */
    public static void write(Path source, Path target, int nTrain, int nTest) throws IOException {
        Files.createDirectories(target);
        writePart(IdxDataset.loadDirectory(source, true), target, "train", nTrain);
        writePart(IdxDataset.loadDirectory(source, false), target, "test", nTest);
    }

    private static void writePart(IdxDataset full, Path target, String prefix, int n) throws IOException {
        if (n > full.size()) {
            throw new IllegalArgumentException(prefix + ": asked for " + n + " examples, source has " + full.size());
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = full.label(i);
        }
        IdxWriter.writeImages(
                target.resolve(prefix + "-images-idx3-ubyte.gz"), full.images().head(n), true);
        IdxWriter.writeLabels(target.resolve(prefix + "-labels-idx1-ubyte.gz"), labels, true);
        int[] counts = new int[full.numClasses()];
        for (int l : labels) {
            counts[l]++;
        }
        System.out.println(prefix + ": " + n + " examples, per class " + Arrays.toString(counts));
    }
}
