package dev.perceiver.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Standard output of the inference commands: UTF-8 text whatever the platform encoding, JSON one object a line. */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Output() {}

    /** A UTF-8 writer on standard output (not closed: it would close System.out). */
    static PrintWriter stdout() {
        return new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    }

    /** A new JSON object to fill. */
    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** The object as one line of JSON. */
    static String line(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
