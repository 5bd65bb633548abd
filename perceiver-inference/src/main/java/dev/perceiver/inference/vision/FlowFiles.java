package dev.perceiver.inference.vision;

import dev.perceiver.model.io.AtomicFiles;
import dev.perceiver.model.limits.InputLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Middlebury {@code .flo} files: the float32 tag 202021.25 ("PIEH"), int32 width, int32 height, then (u, v) float32
 * pairs row by row, all little-endian. Writes are atomic.
 */
public final class FlowFiles {
    /** The tag, read as a little-endian float32. */
    public static final float TAG = 202021.25f;

    private FlowFiles() {}

    /** Writes a flow field as a .flo file (atomically). */
    public static void write(Path file, FlowField flow) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putFloat(TAG).putInt(flow.width()).putInt(flow.height());
        AtomicFiles.write(file, out -> {
            out.write(header.array());
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : flow.data()) {
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(v);
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    /**
     * Reads a .flo file.
     *
     * @throws IOException naming the file if it is missing, has another tag, or its size does not match its header
     */
    public static FlowField read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "flow file does not exist");
        }
        long size = Files.size(file);
        if (size < 12) {
            throw new IOException(file + ": not a .flo file (" + size + " bytes, the header alone has 12)");
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float tag = b.getFloat();
        if (tag != TAG) {
            throw new IOException(file + ": not a .flo file (tag " + tag + ", expected " + TAG + ")");
        }
        int width = b.getInt();
        int height = b.getInt();
        if ((long) width * height > InputLimits.MAX_IMAGE_PIXELS) {
            throw new IOException(file + ": flow field of " + width + "x" + height + " exceeds the limit of "
                    + InputLimits.MAX_IMAGE_PIXELS + " pixels");
        }
        if (width <= 0 || height <= 0 || 12 + 8L * width * height != size) {
            throw new IOException(file + ": header size " + width + "x" + height + " (width x height) does not match "
                    + "the file size of " + size + " bytes (12 + 8 * width * height expected)");
        }
        float[] data = new float[2 * width * height];
        b.asFloatBuffer().get(data);
        return new FlowField(height, width, data);
    }
}
