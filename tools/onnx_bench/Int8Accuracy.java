// Accuracy and speed of --engine onnxruntime-int8 against onnxruntime (float32) for a trained image classifier on
// the Fashion-MNIST test set (Debian's dataset-fashion-mnist, IDX files), issue 14. Run under the shared lock from
// the repository root, after ./perceiver has built the jar:
//   flock /tmp/perceiver-mvn.lock java -cp "perceiver-cli/target/perceiver-cli.jar:$(cat perceiver-cli/target/classpath.txt)" \
//       tools/onnx_bench/Int8Accuracy.java MODEL_DIR [IDX_DIR] [N]
// MODEL_DIR: a trained model folder (e.g. runs/image-classifier-.../checkpoints/best); IDX_DIR defaults to
// /usr/share/datasets/fashion-mnist, N (test images) to all 10,000. Prints accuracy per engine, the share of images
// whose predicted class is the same on both, the largest logit difference, and seconds per engine.
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.vision.ImageClassificationPipeline;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

public class Int8Accuracy {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path idx = Path.of(args.length > 1 ? args[1] : "/usr/share/datasets/fashion-mnist");
        int limit = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        byte[] images = read(idx.resolve("t10k-images-idx3-ubyte.gz"), 16);
        byte[] labels = read(idx.resolve("t10k-labels-idx1-ubyte.gz"), 8);
        int n = Math.min(limit, labels.length);
        List<BufferedImage> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int v = images[i * 784 + y * 28 + x] & 0xff;
                    img.getRaster().setSample(x, y, 0, v);
                }
            }
            list.add(img);
        }
        float[][][] logits = new float[2][][];
        Engine[] engines = {Engine.ONNXRUNTIME, Engine.ONNXRUNTIME_INT8};
        for (int e = 0; e < 2; e++) {
            try (ImageClassificationPipeline p = ImageClassificationPipeline.load(model, 64, engines[e], 2)) {
                List<float[]> inputs = new ArrayList<>();
                for (BufferedImage img : list) {
                    inputs.add(p.preprocessor().preprocess(img));
                }
                p.logits(inputs.subList(0, Math.min(256, n))); // warm-up
                long t0 = System.nanoTime();
                logits[e] = p.logits(inputs);
                double s = (System.nanoTime() - t0) / 1e9;
                int correct = 0;
                for (int i = 0; i < n; i++) {
                    correct += argmax(logits[e][i]) == labels[i] ? 1 : 0;
                }
                System.out.printf("%s: accuracy %.4f on %d test images, %.2f s (%.0f images/s)%n",
                        engines[e].label(), correct / (double) n, n, s, n / s);
            }
        }
        int same = 0;
        double maxDiff = 0;
        double maxLogit = 0;
        for (int i = 0; i < n; i++) {
            same += argmax(logits[0][i]) == argmax(logits[1][i]) ? 1 : 0;
            for (int c = 0; c < logits[0][i].length; c++) {
                maxDiff = Math.max(maxDiff, Math.abs(logits[0][i][c] - logits[1][i][c]));
                maxLogit = Math.max(maxLogit, Math.abs(logits[0][i][c]));
            }
        }
        System.out.printf("same class on both engines: %d/%d; max |logit difference| %.4g (max |logit| %.4g)%n",
                same, n, maxDiff, maxLogit);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static byte[] read(Path gz, int header) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(gz)))) {
            in.skipNBytes(header);
            return in.readAllBytes();
        }
    }
}
