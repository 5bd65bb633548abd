package dev.perceiver.inference.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which tokenizer regexes reach the native library. */
class TokenizerPatternsTest {
    @Test
    void publishedPatternsPass() {
        // GPT-2 and Llama 3 pre-tokenizer patterns, and a Metaspace-style replace
        assertThat(TokenizerPatterns.unsafe(
                        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"))
                .isNull();
        assertThat(TokenizerPatterns.unsafe("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                        + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"))
                .isNull();
        assertThat(TokenizerPatterns.unsafe(" {2,}")).isNull();
        assertThat(TokenizerPatterns.unsafe("(ab)?c+")).isNull();
    }

    @Test
    void catastrophicPatternsAreRefused() {
        assertThat(TokenizerPatterns.unsafe("(a+)+$")).contains("repetition");
        assertThat(TokenizerPatterns.unsafe("(a|aa)*b")).contains("alternation");
        assertThat(TokenizerPatterns.unsafe("((ab)*c)*")).contains("repetition");
        assertThat(TokenizerPatterns.unsafe("(x\\w*){2,}")).contains("repetition");
        assertThat(TokenizerPatterns.unsafe("(a)\\1")).contains("back-reference");
        assertThat(TokenizerPatterns.unsafe("(a")).contains("unbalanced");
        assertThat(TokenizerPatterns.unsafe("a".repeat(5000))).contains("limit");
    }
}
