package dev.perceiver.inference.vision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Covers a frame larger than the model's (tileHeight, tileWidth) with overlapping tiles and blends their flow as
 * the reference's optical flow processor does. Tile rows start at {@code 0, s, 2s, ...} below the frame height with
 * {@code s = tileHeight - minOverlap}, the last one moved to {@code height - tileHeight} (columns alike); tiles are
 * ordered row by row. Two departures, both without effect where the reference works: a start that would put a tile
 * past the frame's edge is moved back to {@code height - tileHeight} (the reference fails on such frame sizes, e.g.
 * width 17 with tiles of 10 and overlap 2), and positions it repeats (a frame of exactly the tile size is covered
 * four times) are kept once, which leaves the weighted mean unchanged. Each tile's flow is multiplied by the flow
 * scale and
 * weighted per pixel by its distance to the nearest tile edge, {@code min(x + 1, w - x, y + 1, h - y)}; the frame's
 * flow is the weighted mean.
 */
public final class FlowTiles {
    /** Tile start positions in the frame. */
    public record Tile(int top, int left) {}

    private final int height;
    private final int width;
    private final int tileHeight;
    private final int tileWidth;
    private final List<Tile> tiles;

    /**
     * @param minOverlap minimum overlap of neighbouring tiles, 0 <= minOverlap < min(tileHeight, tileWidth)
     * @throws IllegalArgumentException if the frame is smaller than a tile or the overlap is out of range
     */
    public FlowTiles(int height, int width, int tileHeight, int tileWidth, int minOverlap) {
        if (tileHeight <= 0 || tileWidth <= 0) {
            throw new IllegalArgumentException("tile size " + tileHeight + "x" + tileWidth + " must be > 0");
        }
        if (minOverlap < 0 || minOverlap >= Math.min(tileHeight, tileWidth)) {
            throw new IllegalArgumentException("min_overlap (" + minOverlap + ") must be in [0, "
                    + (Math.min(tileHeight, tileWidth) - 1) + "] (smaller than the model's image_shape "
                    + tileHeight + "x" + tileWidth + ")");
        }
        if (height < tileHeight || width < tileWidth) {
            throw new IllegalArgumentException("frame size " + height + "x" + width + " (height x width) must be at "
                    + "least the model's image_shape " + tileHeight + "x" + tileWidth);
        }
        this.height = height;
        this.width = width;
        this.tileHeight = tileHeight;
        this.tileWidth = tileWidth;
        List<Integer> ys = starts(height, tileHeight, minOverlap);
        List<Integer> xs = starts(width, tileWidth, minOverlap);
        Set<Tile> set = new LinkedHashSet<>();
        for (int y : ys) {
            for (int x : xs) {
                set.add(new Tile(y, x));
            }
        }
        tiles = List.copyOf(set);
    }

    private static List<Integer> starts(int size, int tile, int overlap) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < size; p += tile - overlap) {
            out.add(Math.min(p, size - tile));
        }
        out.set(out.size() - 1, size - tile);
        return out;
    }

    /** The tiles, row by row. */
    public List<Tile> tiles() {
        return tiles;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int tileHeight() {
        return tileHeight;
    }

    public int tileWidth() {
        return tileWidth;
    }

    /** Blending weight of tile pixel (y, x). */
    public int weight(int y, int x) {
        return Math.min(Math.min(x + 1, tileWidth - x), Math.min(y + 1, tileHeight - y));
    }

    /**
     * Blends tile flows, each (tileHeight, tileWidth, 2) in the order of {@link #tiles()}, into the frame's flow
     * (height, width, 2), multiplying them by {@code flowScale} (float32 arithmetic as the reference).
     */
    public float[] blend(List<float[]> tileFlows, float flowScale) {
        if (tileFlows.size() != tiles.size()) {
            throw new IllegalArgumentException(
                    "tile flows (" + tileFlows.size() + ") must be one per tile (" + tiles.size() + ")");
        }
        float[] sum = new float[height * width * 2];
        float[] weights = new float[height * width];
        for (int t = 0; t < tiles.size(); t++) {
            float[] f = tileFlows.get(t);
            if (f.length != tileHeight * tileWidth * 2) {
                throw new IllegalArgumentException("tile flow " + t + " has " + f.length + " values, must be "
                        + tileHeight + " * " + tileWidth + " * 2");
            }
            Tile tile = tiles.get(t);
            for (int y = 0; y < tileHeight; y++) {
                for (int x = 0; x < tileWidth; x++) {
                    float w = weight(y, x);
                    int src = (y * tileWidth + x) * 2;
                    int dst = (tile.top() + y) * width + tile.left() + x;
                    sum[2 * dst] += f[src] * flowScale * w;
                    sum[2 * dst + 1] += f[src + 1] * flowScale * w;
                    weights[dst] += w;
                }
            }
        }
        for (int i = 0; i < weights.length; i++) {
            sum[2 * i] /= weights[i];
            sum[2 * i + 1] /= weights[i];
        }
        return sum;
    }
}
