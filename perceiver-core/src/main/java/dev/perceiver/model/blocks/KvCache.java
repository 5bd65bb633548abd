package dev.perceiver.model.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.perceiver.nn.Ops;

/**
 * Keys and values of the earlier positions of one attention layer during incremental decoding, split into heads:
 * keys (b, h, length, num_qk_channels / h) and values (b, h, length, num_v_channels / h). Keys are stored after
 * their rotary embedding, so that a decoding step rotates only its own new keys.
 *
 * <p>The positions live in preallocated storage of {@code capacity} positions, head-major (b, h, capacity, c) like
 * the views that attention reads (attention products over the strided views of a position-major layout measured 1.5x
 * slower). {@link #append} writes new positions in place, and {@link #keepLast} drops positions on the left by moving
 * a start offset. Storage is reallocated only when it is full (the kept positions are moved to the front, and the
 * capacity doubles when they fill more than half
 * of it), so a decoding step copies only its own keys and values. The storage belongs to the manager given at
 * allocation and is never registered with an {@link NDScope}; {@link #close()} frees it.
 */
public final class KvCache implements AutoCloseable {
    private NDArray k;
    private NDArray v;
    private long start;
    private long end;

    private KvCache(NDArray k, NDArray v) {
        this.k = k;
        this.v = v;
    }

    /**
     * An empty cache.
     *
     * @param batchSize b
     * @param numHeads h
     * @param keyChannels key channels per head
     * @param valueChannels value channels per head
     * @param capacity positions to preallocate (grows when exceeded), at least 1
     */
    public static KvCache allocate(
            NDManager manager, long batchSize, long numHeads, long keyChannels, long valueChannels, long capacity) {
        long cap = Math.max(1, capacity);
        NDArray k = storage(manager, new Shape(batchSize, numHeads, cap, keyChannels));
        NDArray v = storage(manager, new Shape(batchSize, numHeads, cap, valueChannels));
        return new KvCache(k, v);
    }

    private static NDArray storage(NDManager manager, Shape shape) {
        NDArray a = manager.zeros(shape);
        NDScope.unregister(a);
        return a;
    }

    /** Number of cached positions. */
    public long length() {
        return end - start;
    }

    /** Number of positions the storage holds before it must be reallocated. */
    public long capacity() {
        return k.getShape().get(2);
    }

    /**
     * Appends the keys (b, h, n, dk) and values (b, h, n, dv) of n new positions (keys already rotated).
     */
    public void append(NDArray keys, NDArray values) {
        long n = keys.getShape().get(2);
        if (values.getShape().get(2) != n) {
            throw new IllegalArgumentException("keys " + keys.getShape() + " and values " + values.getShape()
                    + " differ in the number of positions");
        }
        if (end + n > capacity()) {
            reallocate(length() + n);
        }
        NDIndex slot = positions(end, end + n);
        k.set(slot, keys);
        v.set(slot, values);
        end += n;
    }

    /** All cached keys, a view (b, h, length, dk) valid until the next {@link #append}. */
    public NDArray keys() {
        return Ops.narrow(k, 2, start, end);
    }

    /** All cached keys transposed for attention logits, a view (b, h, dk, length) valid until the next append. */
    public NDArray keysTransposed() {
        return Ops.narrow(k, 2, start, end).transpose(0, 1, 3, 2);
    }

    /** All cached values, a view (b, h, length, dv) valid until the next {@link #append}. */
    public NDArray values() {
        return Ops.narrow(v, 2, start, end);
    }

    /** Keeps only the right-most {@code max} positions (nothing changes when there are not more). */
    public void keepLast(long max) {
        if (max < 0) {
            throw new IllegalArgumentException("max (" + max + ") must be >= 0");
        }
        start = Math.max(start, end - max);
    }

    /** Moves the kept positions to the front of new storage that holds at least {@code needed} positions. */
    private void reallocate(long needed) {
        long cap = capacity();
        long newCap = needed * 2 > cap ? Math.max(needed, cap * 2) : cap;
        long len = length();
        NDManager m = k.getManager();
        NDArray k2 = storage(m, shapeWith(k.getShape(), newCap));
        NDArray v2 = storage(m, shapeWith(v.getShape(), newCap));
        if (len > 0) {
            NDIndex kept = positions(0, len);
            try (NDArray kOld = Ops.narrow(k, 2, start, end);
                    NDArray vOld = Ops.narrow(v, 2, start, end)) {
                k2.set(kept, kOld);
                v2.set(kept, vOld);
            }
        }
        k.close();
        v.close();
        k = k2;
        v = v2;
        start = 0;
        end = len;
    }

    private static Shape shapeWith(Shape s, long positions) {
        return new Shape(s.get(0), s.get(1), positions, s.get(3));
    }

    private static NDIndex positions(long from, long to) {
        return new NDIndex().addAllDim(2).addSliceDim(from, to);
    }

    @Override
    public void close() {
        k.close();
        v.close();
    }
}
