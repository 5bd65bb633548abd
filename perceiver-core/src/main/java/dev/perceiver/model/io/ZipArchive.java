package dev.perceiver.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The central directory of a zip archive whose entries are stored uncompressed, as {@code torch.save} writes them
 * (ZIP64 included). Entries are located through the central directory and checked against their local headers;
 * their bytes are handed out as regions or slices of the {@link ByteSource}.
 */
final class ZipArchive {
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_DIRECTORY = 0x06054b50;
    private static final int ZIP64_END_OF_DIRECTORY = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int END_SIZE = 22;
    private static final int MAX_COMMENT = 0xffff;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL_SIZE = 30;
    /** Far more than any checkpoint's directory (a million entries); bounds what a lying header can claim. */
    private static final long MAX_DIRECTORY = 64L << 20;

    /** One stored entry: its name, where its central-directory record says it starts, its size and CRC-32. */
    record Entry(String name, long localHeaderOffset, long size, long crc) {}

    private final String source;
    private final ByteSource bytes;
    private final Map<String, Entry> entries;

    private ZipArchive(String source, ByteSource bytes, Map<String, Entry> entries) {
        this.source = source;
        this.bytes = bytes;
        this.entries = entries;
    }

    /** Where the central directory lies and how many entries it claims. */
    private record Directory(long count, long size, long offset) {}

    /** Reads and checks the central directory. */
    static ZipArchive read(String source, ByteSource bytes) throws IOException {
        Directory d = directory(source, bytes);
        ByteBuffer dir = le(bytes.region(d.offset(), d.size()));
        Map<String, Entry> entries = new LinkedHashMap<>();
        int pos = 0;
        for (long i = 0; i < d.count(); i++) {
            if (dir.limit() - pos < CENTRAL_SIZE || dir.getInt(pos) != CENTRAL_HEADER) {
                throw fail(
                        source, "central directory record " + i + " at byte " + (d.offset() + pos) + " is malformed");
            }
            int nameLen = dir.getShort(pos + 28) & 0xffff;
            int extraLen = dir.getShort(pos + 30) & 0xffff;
            int commentLen = dir.getShort(pos + 32) & 0xffff;
            int recordEnd = pos + CENTRAL_SIZE + nameLen + extraLen + commentLen;
            if (recordEnd > dir.limit()) {
                throw fail(source, "central directory record " + i + " runs past the end of the directory");
            }
            Entry e = entry(source, dir, pos, nameLen, extraLen, d.offset());
            if (entries.put(e.name(), e) != null) {
                throw fail(source, "entry '" + e.name() + "' appears twice");
            }
            pos = recordEnd;
        }
        return new ZipArchive(source, bytes, Collections.unmodifiableMap(entries));
    }

    /** Finds the end-of-central-directory record (and its ZIP64 form) and checks what it claims. */
    private static Directory directory(String source, ByteSource bytes) throws IOException {
        long size = bytes.size();
        int tail = (int) Math.min(size, END_SIZE + MAX_COMMENT);
        ByteBuffer end = le(bytes.region(size - tail, tail));
        int at = -1;
        for (int i = tail - END_SIZE; i >= 0; i--) {
            if (end.getInt(i) == END_OF_DIRECTORY && (end.getShort(i + 20) & 0xffff) == tail - END_SIZE - i) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw fail(source, "no zip end-of-central-directory record (the archive is truncated or not a zip file)");
        }
        long endOffset = size - tail + at;
        long count = end.getShort(at + 10) & 0xffff;
        long dirSize = end.getInt(at + 12) & 0xffffffffL;
        long dirOffset = end.getInt(at + 16) & 0xffffffffL;
        if (count == 0xffff || dirSize == 0xffffffffL || dirOffset == 0xffffffffL) {
            Directory zip64 = zip64End(source, bytes, endOffset);
            count = zip64.count();
            dirSize = zip64.size();
            dirOffset = zip64.offset();
        }
        if (dirSize > MAX_DIRECTORY || dirOffset > endOffset || dirSize > endOffset - dirOffset) {
            throw fail(
                    source,
                    "central directory [" + dirOffset + ", +" + dirSize + ") does not lie before its end record at "
                            + endOffset + " (is the archive truncated?)");
        }
        if (count > dirSize / CENTRAL_SIZE) {
            throw fail(
                    source,
                    "central directory of " + dirSize + " bytes cannot hold the " + count + " entries it claims");
        }
        return new Directory(count, dirSize, dirOffset);
    }

    /** One central-directory record at {@code pos}, with its ZIP64 extra field applied, checked. */
    private static Entry entry(String source, ByteBuffer dir, int pos, int nameLen, int extraLen, long dirOffset)
            throws CheckpointFormatException {
        int flags = dir.getShort(pos + 8) & 0xffff;
        int method = dir.getShort(pos + 10) & 0xffff;
        long crc = dir.getInt(pos + 16) & 0xffffffffL;
        long compressed = dir.getInt(pos + 20) & 0xffffffffL;
        long uncompressed = dir.getInt(pos + 24) & 0xffffffffL;
        long local = dir.getInt(pos + 42) & 0xffffffffL;
        String name = name(dir, pos + CENTRAL_SIZE, nameLen);
        // ZIP64 extended information: 8-byte values for the fields saturated above, in this order.
        int extra = pos + CENTRAL_SIZE + nameLen;
        int extraEnd = extra + extraLen;
        while (extra + 4 <= extraEnd) {
            int id = dir.getShort(extra) & 0xffff;
            int len = dir.getShort(extra + 2) & 0xffff;
            int field = extra + 4;
            if (field + len > extraEnd) {
                throw fail(source, "entry '" + name + "': extra field runs past its record");
            }
            if (id == 0x0001) {
                int fieldEnd = field + len;
                if (uncompressed == 0xffffffffL) {
                    uncompressed = zip64Value(source, dir, field, fieldEnd, name);
                    field += 8;
                }
                if (compressed == 0xffffffffL) {
                    compressed = zip64Value(source, dir, field, fieldEnd, name);
                    field += 8;
                }
                if (local == 0xffffffffL) {
                    local = zip64Value(source, dir, field, fieldEnd, name);
                }
            }
            extra += 4 + len;
        }
        if ((flags & 1) != 0) {
            throw fail(source, "entry '" + name + "' is encrypted");
        }
        if (method != 0) {
            throw fail(
                    source,
                    "entry '" + name + "' is compressed (method " + method + "); torch.save stores entries"
                            + " uncompressed: re-save the checkpoint with torch.save instead of re-zipping it");
        }
        if (compressed != uncompressed) {
            throw fail(
                    source,
                    "stored entry '" + name + "' has compressed size " + compressed + " but uncompressed size "
                            + uncompressed);
        }
        if (local >= dirOffset || uncompressed > dirOffset - local) {
            throw fail(
                    source,
                    "entry '" + name + "' [" + local + ", +" + uncompressed + ") overlaps the central directory at "
                            + dirOffset + " (is the archive truncated?)");
        }
        return new Entry(name, local, uncompressed, crc);
    }

    /** The entries by name, in directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * Returns the bytes of a stored entry as a view (position 0, limit = size), after checking its local header.
     * {@code verify} also checks its CRC-32, which reads every byte.
     */
    ByteBuffer data(Entry e, boolean verify) throws IOException {
        ByteBuffer data = le(bytes.region(start(e), e.size()));
        if (verify) {
            CRC32 crc = new CRC32();
            crc.update(data.duplicate());
            if (crc.getValue() != e.crc()) {
                throw fail(
                        source,
                        "entry '" + e.name() + "' is corrupt (CRC-32 " + Long.toHexString(crc.getValue())
                                + ", expected " + Long.toHexString(e.crc()) + ")");
            }
        }
        return data;
    }

    /**
     * Returns the bytes of a stored entry as a source of their own (a view of a mapped file, a window onto a file read
     * on demand), after checking its local header; its CRC-32 is not checked.
     */
    ByteSource slice(Entry e) throws IOException {
        return bytes.slice(start(e), e.size());
    }

    /** Where a stored entry's bytes start, after checking its local header and that the entry lies in the archive. */
    private long start(Entry e) throws IOException {
        long size = bytes.size();
        if (e.localHeaderOffset() > size - LOCAL_SIZE) {
            throw fail(
                    source, "entry '" + e.name() + "': local header at " + e.localHeaderOffset() + " is past the end");
        }
        ByteBuffer header = le(bytes.region(e.localHeaderOffset(), LOCAL_SIZE));
        if (header.getInt(0) != LOCAL_HEADER) {
            throw fail(source, "entry '" + e.name() + "': no local header at byte " + e.localHeaderOffset());
        }
        int nameLen = header.getShort(26) & 0xffff;
        int extraLen = header.getShort(28) & 0xffff;
        long start = e.localHeaderOffset() + LOCAL_SIZE + nameLen + extraLen;
        if (start > size || e.size() > size - start) {
            throw fail(
                    source,
                    "entry '" + e.name() + "' of " + e.size() + " bytes at byte " + start + " runs past the end of the "
                            + size + "-byte archive (is it truncated?)");
        }
        if (!name(le(bytes.region(e.localHeaderOffset() + LOCAL_SIZE, nameLen)), 0, nameLen)
                .equals(e.name())) {
            throw fail(source, "entry '" + e.name() + "': its local header names another entry");
        }
        if (e.size() > ByteSource.MAX_REGION) {
            throw fail(source, "entry '" + e.name() + "' of " + e.size() + " bytes is larger than 2 GiB");
        }
        return start;
    }

    private static Directory zip64End(String source, ByteSource bytes, long endOffset) throws IOException {
        if (endOffset < 20) {
            throw fail(source, "ZIP64 end-of-central-directory locator is missing");
        }
        ByteBuffer locator = le(bytes.region(endOffset - 20, 20));
        if (locator.getInt(0) != ZIP64_LOCATOR) {
            throw fail(source, "ZIP64 end-of-central-directory locator is missing");
        }
        long at = locator.getLong(8);
        if (at < 0 || at > endOffset - 20 - 56) {
            throw fail(source, "ZIP64 end-of-central-directory record offset " + at + " is out of range");
        }
        ByteBuffer record = le(bytes.region(at, 56));
        if (record.getInt(0) != ZIP64_END_OF_DIRECTORY) {
            throw fail(source, "no ZIP64 end-of-central-directory record at byte " + at);
        }
        long count = record.getLong(32);
        long dirSize = record.getLong(40);
        long dirOffset = record.getLong(48);
        if (count < 0 || dirSize < 0 || dirOffset < 0) {
            throw fail(source, "ZIP64 end-of-central-directory record has out-of-range values");
        }
        return new Directory(count, dirSize, dirOffset);
    }

    private static long zip64Value(String source, ByteBuffer dir, int field, int end, String name)
            throws CheckpointFormatException {
        if (field + 8 > end) {
            throw fail(source, "entry '" + name + "': ZIP64 extra field is too short");
        }
        long v = dir.getLong(field);
        if (v < 0) {
            throw fail(
                    source,
                    "entry '" + name + "': ZIP64 size or offset " + Long.toUnsignedString(v) + " is out of range");
        }
        return v;
    }

    private static String name(ByteBuffer buf, int at, int len) {
        byte[] b = new byte[len];
        buf.get(at, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static CheckpointFormatException fail(String source, String problem) {
        return new CheckpointFormatException(source + ": " + problem);
    }
}
