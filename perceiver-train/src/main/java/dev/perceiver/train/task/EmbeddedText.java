package dev.perceiver.train.task;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The public-domain corpus embedded under {@value #RESOURCE_DIR} (the US Constitution and the Declaration of
 * Independence, from Debian's miscfiles package): paragraphs separated by blank lines.
 */
public final class EmbeddedText {
    /** Classpath folder of the corpus. */
    public static final String RESOURCE_DIR = "/datasets/us-founding-documents/";

    private static final String[] FILES = {"us-constitution.txt", "us-declaration.txt"};

    private EmbeddedText() {}

    /** The paragraphs of both documents, in order. */
    public static List<String> paragraphs() throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : FILES) {
            try (InputStream in = EmbeddedText.class.getResourceAsStream(RESOURCE_DIR + f)) {
                if (in == null) {
                    throw new IOException("embedded corpus file " + RESOURCE_DIR + f + " is missing from the jar");
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                for (String p : text.split("\\n\\s*\\n")) {
                    if (!p.isBlank()) {
                        out.add(p.strip());
                    }
                }
            }
        }
        return out;
    }
}
