package dev.perceiver.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A tensor whose little-endian bytes are read on demand, in pieces: a {@link TensorData} held in memory, or a tensor
 * of a safetensors file opened with {@link SafetensorsFile#open}, read from the file when asked for, so loading it
 * into an engine array needs no buffer of its size in between.
 */
public interface TensorSource {
    /** The safetensors dtype name, such as {@code F32}. */
    String dtype();

    /** The dimensions (a copy); {@code []} is a scalar. */
    long[] shape();

    /** The number of bytes: the element count times the dtype's size. */
    long byteSize();

    /**
     * Copies the bytes {@code [offset, offset + dst.remaining())} of the tensor into {@code dst}, whose position ends
     * at its limit.
     *
     * @throws IndexOutOfBoundsException if that range is not within {@code [0, byteSize())}
     * @throws IOException if the bytes cannot be read (a file changed or closed since it was opened)
     */
    void read(long offset, ByteBuffer dst) throws IOException;
}
