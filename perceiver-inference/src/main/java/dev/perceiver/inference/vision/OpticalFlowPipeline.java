package dev.perceiver.inference.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.inference.engine.Engine;
import dev.perceiver.inference.engine.ModelRunner;
import dev.perceiver.inference.engine.ModelRunners;
import dev.perceiver.model.io.ModelFolder;
import dev.perceiver.model.io.WrongModelKindException;
import dev.perceiver.nn.Tensors;
import dev.perceiver.tasks.vision.OpticalFlow;
import dev.perceiver.tasks.vision.VisionModelKinds;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Optical flow between two frames of the same size, as the reference's optical flow pipeline computes it: both
 * frames as RGB, covered by overlapping tiles of the model's {@code image_shape} ({@link FlowTiles}), each tile's
 * 3x3 patch features ({@link FlowFeatures}) run through the model in batches of at most {@code batchSize} tiles,
 * and the tile flows multiplied by the flow scale (20) and blended into a flow field of the frame's size. The
 * forward passes run on the {@link Engine} asked for (ONNX Runtime's graph decodes in bounded chunks of queries, as
 * the module does). A pipeline must be closed; one made by {@link #load} also owns its model.
 */
public final class OpticalFlowPipeline implements AutoCloseable {
    /** The reference's minimum overlap of neighbouring tiles, in pixels. */
    public static final int DEFAULT_MIN_OVERLAP = 20;
    /** The reference's factor from model output to pixels (applied after the model's own rescale_factor). */
    public static final float FLOW_SCALE = 20f;
    /** Default number of tiles per forward pass (the reference's micro batch size). */
    public static final int DEFAULT_BATCH_SIZE = 1;

    private final OpticalFlow model;
    private final int tileHeight;
    private final int tileWidth;
    private final int minOverlap;
    private final int batchSize;
    private final NDManager owned;
    private final ModelRunner runner;

    /**
     * A pipeline over a model the caller owns, on libtorch.
     *
     * @param minOverlap minimum tile overlap, 0 <= minOverlap < min(image_shape)
     * @param batchSize tiles per forward pass, >= 1
     */
    public OpticalFlowPipeline(OpticalFlow model, int minOverlap, int batchSize) {
        this(model, minOverlap, batchSize, null, Engine.LIBTORCH, 1);
    }

    /**
     * A pipeline over a model the caller owns (it must stay open until the pipeline is closed), with the forward
     * passes on {@code engine}.
     *
     * @param minOverlap minimum tile overlap, 0 <= minOverlap < min(image_shape)
     * @param batchSize tiles per forward pass, >= 1
     * @param threads ONNX Runtime intra-op threads, in [1, 1024]
     */
    public OpticalFlowPipeline(OpticalFlow model, int minOverlap, int batchSize, Engine engine, int threads) {
        this(model, minOverlap, batchSize, null, engine, threads);
    }

    private OpticalFlowPipeline(
            OpticalFlow model, int minOverlap, int batchSize, NDManager owned, Engine engine, int threads) {
        int[] shape = model.config().encoder().imageShape();
        int channels = model.config().encoder().numPatchInputChannels();
        if (channels != FlowFeatures.CHANNELS) {
            throw new IllegalArgumentException("num_patch_input_channels (" + channels + ") must be "
                    + FlowFeatures.CHANNELS + " (3x3 patches of RGB) for frame input");
        }
        if (minOverlap < 0 || minOverlap >= Math.min(shape[0], shape[1])) {
            throw new IllegalArgumentException("min_overlap (" + minOverlap + ") must be in [0, "
                    + (Math.min(shape[0], shape[1]) - 1) + "] (smaller than the model's image_shape "
                    + shape[0] + "x" + shape[1] + ")");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch_size (" + batchSize + ") must be >= 1");
        }
        this.model = model;
        this.tileHeight = shape[0];
        this.tileWidth = shape[1];
        this.minOverlap = minOverlap;
        this.batchSize = batchSize;
        this.owned = owned;
        // a pipeline made by load owns its model: on ONNX Runtime its libtorch weights are freed once exported
        this.runner = ModelRunners.open(model, engine, threads, owned != null);
    }

    /** The engine of the forward passes. */
    public Engine engine() {
        return runner.engine();
    }

    /**
     * Loads an optical flow model folder into a pipeline that owns it, with tiles overlapping by at least
     * {@value #DEFAULT_MIN_OVERLAP} pixels, {@value #DEFAULT_BATCH_SIZE} per forward pass, on libtorch.
     *
     * @throws IOException for a missing or invalid folder
     * @throws WrongModelKindException for a folder of another model type
     */
    public static OpticalFlowPipeline load(Path dir) throws IOException {
        return load(dir, DEFAULT_MIN_OVERLAP, DEFAULT_BATCH_SIZE);
    }

    /**
     * As {@link #load(Path)}, with {@code minOverlap} (0 <= minOverlap < min(image_shape)) and {@code batchSize}
     * tiles per forward pass (>= 1).
     */
    public static OpticalFlowPipeline load(Path dir, int minOverlap, int batchSize) throws IOException {
        return load(dir, minOverlap, batchSize, Engine.LIBTORCH, 1);
    }

    /**
     * As {@link #load(Path, int, int)}, with the forward passes on {@code engine} ({@code threads} ONNX Runtime
     * intra-op threads, in [1, 1024]).
     */
    public static OpticalFlowPipeline load(Path dir, int minOverlap, int batchSize, Engine engine, int threads)
            throws IOException {
        return ModelRunners.loadFallingBack(engine, e -> {
            NDManager manager = NDManager.newBaseManager();
            try {
                ModelFolder.Loaded loaded = ModelFolder.load(dir, manager);
                WrongModelKindException.require(dir, loaded.kind(), VisionModelKinds.OPTICAL_FLOW, null);
                return new OpticalFlowPipeline(
                        (OpticalFlow) loaded.model(), minOverlap, batchSize, manager, e, threads);
            } catch (IOException | RuntimeException failed) {
                manager.close();
                throw failed;
            }
        });
    }

    /**
     * The model (owned by this pipeline when it was made by {@link #load}; then, on ONNX Runtime, only its config and
     * shapes remain: its libtorch weights were freed after the export).
     */
    public OpticalFlow model() {
        return model;
    }

    /** The model's (height, width): the tile size. */
    public int[] imageShape() {
        return new int[] {tileHeight, tileWidth};
    }

    /** The tiles that cover a frame of {@code height x width}. */
    public FlowTiles tiles(int height, int width) {
        return new FlowTiles(height, width, tileHeight, tileWidth, minOverlap);
    }

    /**
     * Flow from the first to the second frame file.
     *
     * @throws IOException naming a file that cannot be read
     * @throws IllegalArgumentException naming the files if their sizes differ or are smaller than the model's
     */
    public FlowField flow(Path frame1, Path frame2) throws IOException {
        Pixels p1 = Images.rgb(Images.read(frame1));
        Pixels p2 = Images.rgb(Images.read(frame2));
        try {
            return flow(p1, p2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(frame1 + ", " + frame2 + ": " + e.getMessage(), e);
        }
    }

    /** Flow from the first to the second decoded frame. */
    public FlowField flow(BufferedImage frame1, BufferedImage frame2) {
        return flow(Images.rgb(frame1), Images.rgb(frame2));
    }

    /** Flow (h, w, 2) from the first to the second frame, both (h, w, 3) or (h, w, 1). */
    public FlowField flow(Pixels frame1, Pixels frame2) {
        if (frame1.height() != frame2.height() || frame1.width() != frame2.width()) {
            throw new IllegalArgumentException("frame sizes " + frame1.height() + "x" + frame1.width() + " and "
                    + frame2.height() + "x" + frame2.width() + " (height x width) must be equal");
        }
        int h = frame1.height();
        int w = frame1.width();
        FlowTiles tiles = tiles(h, w);
        float[] f1 = FlowFeatures.normalize(Images.toChannels(frame1, 3));
        float[] f2 = FlowFeatures.normalize(Images.toChannels(frame2, 3));
        List<FlowTiles.Tile> all = tiles.tiles();
        int featureSize = 2 * FlowFeatures.CHANNELS * tileHeight * tileWidth;
        int flowSize = tileHeight * tileWidth * 2;
        List<float[]> tileFlows = new ArrayList<>();
        for (int start = 0; start < all.size(); start += batchSize) {
            int n = Math.min(batchSize, all.size() - start);
            float[] features = new float[n * featureSize];
            for (int i = 0; i < n; i++) {
                FlowTiles.Tile t = all.get(start + i);
                FlowFeatures.extract(f1, f2, h, w, t.top(), t.left(), tileHeight, tileWidth, features, i * featureSize);
            }
            float[] out = forward(features, n);
            for (int i = 0; i < n; i++) {
                tileFlows.add(Arrays.copyOfRange(out, i * flowSize, (i + 1) * flowSize));
            }
        }
        return new FlowField(h, w, tiles.blend(tileFlows, FLOW_SCALE));
    }

    /** Model flow of a batch of tile features (n, 2, 27, th, tw) -> (n, th, tw, 2), before the flow scale. */
    public float[] forward(float[] features, int n) {
        Shape shape = new Shape(n, 2, FlowFeatures.CHANNELS, tileHeight, tileWidth);
        if (features.length != shape.size()) {
            throw new IllegalArgumentException("features (" + features.length + " values) must have shape " + shape);
        }
        try (NDManager m = NDManager.newBaseManager();
                NDScope ignored = new NDScope()) {
            NDArray out = runner.forward(Tensors.owned(m, features, shape), null);
            return out.toFloatArray();
        }
    }

    /** Releases the engine's resources, and closes the model if this pipeline loaded it. */
    @Override
    public void close() {
        try {
            runner.close();
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }
}
