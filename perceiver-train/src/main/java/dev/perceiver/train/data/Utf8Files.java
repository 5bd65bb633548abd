package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Strict UTF-8 file reading: malformed input is an error naming the file, never silently replaced. */
public final class Utf8Files {
    private Utf8Files() {}

    /**
     * Reads a whole file as UTF-8 (a leading byte-order mark is dropped).
     *
     * @throws IOException naming the file if it cannot be read or is not valid UTF-8
     */
    public static String read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 (" + e + ")", e);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
