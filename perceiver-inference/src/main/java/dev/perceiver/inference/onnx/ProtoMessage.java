package dev.perceiver.inference.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protobuf message written field by field with protobuf-java's {@link CodedOutputStream} (the wire format of
 * onnx.proto without generated classes). Large byte fields (tensor data) are given as a length and a writer, so a
 * model is streamed to its file without holding its weights in one Java array.
 */
final class ProtoMessage {
    /** Writes the bytes of a large field to {@code sink}; must write exactly the declared length. */
    interface RawWriter {
        void write(RawSink sink) throws IOException;
    }

    /** Where a large field's bytes go, after those of the fields before it. */
    interface RawSink {
        /** Writes all of {@code bytes}' remaining bytes. */
        void write(ByteBuffer bytes) throws IOException;
    }

    private record Field(int number, long varint, byte[] bytes, ProtoMessage message, long rawLength, RawWriter raw) {}

    private final List<Field> fields = new ArrayList<>();
    private long size = -1;

    ProtoMessage varint(int number, long value) {
        fields.add(new Field(number, value, null, null, 0, null));
        return this;
    }

    ProtoMessage string(int number, String value) {
        return bytes(number, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoMessage bytes(int number, byte[] value) {
        fields.add(new Field(number, 0, value, null, 0, null));
        return this;
    }

    /** A 32-bit float field (wire type 5). */
    ProtoMessage float32(int number, float value) {
        fields.add(new Field(number, Float.floatToRawIntBits(value), null, null, -1, null));
        return this;
    }

    ProtoMessage message(int number, ProtoMessage value) {
        fields.add(new Field(number, 0, null, value, 0, null));
        return this;
    }

    ProtoMessage raw(int number, long length, RawWriter writer) {
        fields.add(new Field(number, 0, null, null, length, writer));
        return this;
    }

    /** Serialised size in bytes. */
    long size() {
        if (size < 0) {
            long s = 0;
            for (Field f : fields) {
                s += CodedOutputStream.computeTagSize(f.number());
                if (f.raw() != null) {
                    s += lengthPrefixed(f.rawLength());
                } else if (f.message() != null) {
                    s += lengthPrefixed(f.message().size());
                } else if (f.bytes() != null) {
                    s += lengthPrefixed(f.bytes().length);
                } else if (f.rawLength() == -1) {
                    s += 4;
                } else {
                    s += CodedOutputStream.computeUInt64SizeNoTag(f.varint());
                }
            }
            size = s;
        }
        return size;
    }

    private static long lengthPrefixed(long length) {
        return CodedOutputStream.computeUInt64SizeNoTag(length) + length;
    }

    /**
     * Writes the message to {@code out}, the bytes of its large fields to {@code raw}, which must write them after
     * those {@code out} was given before (e.g. by flushing {@code out} first).
     */
    void writeTo(CodedOutputStream out, RawSink raw) throws IOException {
        for (Field f : fields) {
            if (f.raw() != null) {
                out.writeTag(f.number(), 2);
                out.writeUInt64NoTag(f.rawLength());
                f.raw().write(raw);
            } else if (f.message() != null) {
                out.writeTag(f.number(), 2);
                out.writeUInt64NoTag(f.message().size());
                f.message().writeTo(out, raw);
            } else if (f.bytes() != null) {
                out.writeByteArray(f.number(), f.bytes());
            } else if (f.rawLength() == -1) {
                out.writeFixed32(f.number(), (int) f.varint());
            } else {
                out.writeUInt64(f.number(), f.varint());
            }
        }
    }
}
