package dev.perceiver.inference.tokenizer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.perceiver.inference.FuzzFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz targets of the tokenizer files. {@link #splitPattern}: every regex the validator accepts is run by the native
 * tokenizers library on adversarial text; a pattern that makes it abort kills the fuzzing JVM, which Jazzer reports
 * as a crash. {@link #tokenizerJson} and {@link #tokenizerConfig}: any file content either loads or fails with an
 * {@link IOException} / {@link IllegalArgumentException}.
 */
class TokenizerFuzzTest {
    /** How long {@code -Pfuzz} fuzzes each target (Jazzer takes it from the annotation only). */
    static final String FUZZ_TIME = "1m";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FuzzFiles FILES = new FuzzFiles("tokenizer-fuzz");

    @FuzzTest(maxDuration = FUZZ_TIME)
    void splitPattern(FuzzedDataProvider data) throws IOException {
        String text = data.consumeString(64);
        String pattern = data.consumeRemainingAsString();
        if (TokenizerPatterns.unsafe(pattern) != null) {
            return;
        }
        ObjectNode spec = (ObjectNode) JSON.readTree(TokenizerJsonSeeds.wordLevel());
        ((ObjectNode) spec.get("pre_tokenizer").get("pattern")).put("Regex", pattern);
        Path p = FILES.write("tokenizer.json", JSON.writeValueAsBytes(spec));
        HuggingFaceFastTokenizer t;
        try {
            t = HuggingFaceFastTokenizer.load(p);
        } catch (IOException | RuntimeException invalidRegex) {
            return; // the library refused to compile it: an exception, not an abort
        }
        t.encode(text, false);
        t.encode("a".repeat(40) + "!", false);
        t.encode(" \n".repeat(20) + "x", false);
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    void tokenizerJson(byte[] content) {
        Path p = FILES.write("tokenizer.json", content);
        try {
            HuggingFaceFastTokenizer t = HuggingFaceFastTokenizer.load(p);
            t.decode(t.encode("hello world aaaa!", true), false);
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        } catch (RuntimeException e) {
            if (!e.getClass().getName().startsWith("ai.djl")) {
                throw e;
            }
            // the native library refused the file (DJL's EngineException)
        }
    }

    /**
     * The content as {@code tokenizer_config.json} (and {@code special_tokens_map.json}) of a folder read by both
     * readers of those files: without a {@code tokenizer.json} (the bytes tokenizer's check) and beside a valid one
     * (the special token roles of a Hugging Face tokenizer).
     */
    @FuzzTest(maxDuration = FUZZ_TIME)
    void tokenizerConfig(byte[] content) throws IOException {
        Path folder = FILES.write(Tokenizer.TOKENIZER_CONFIG, content).getParent();
        FILES.write(Tokenizer.SPECIAL_TOKENS_MAP, content);
        try {
            Files.deleteIfExists(folder.resolve(Tokenizer.TOKENIZER_JSON));
            Tokenizer.forModelFolder(folder).close();
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        }
        FILES.write(Tokenizer.TOKENIZER_JSON, TokenizerJsonSeeds.wordLevel().getBytes(StandardCharsets.UTF_8));
        try (Tokenizer t = Tokenizer.forModelFolder(folder)) {
            t.decode(t.encode("a b [X] c", true), false);
            for (SpecialToken role : SpecialToken.values()) {
                t.tokenId(role);
            }
        } catch (IOException | IllegalArgumentException expected) {
            // refused with a message
        } finally {
            Files.deleteIfExists(folder.resolve(Tokenizer.TOKENIZER_JSON));
        }
    }
}
