package dev.perceiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.perceiver.inference.tokenizer.BytesTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** generate's streamed output: the prompt at once, then each token's text, an incomplete character held back. */
class TokenStreamTest {
    @Test
    void printsTokensAsTheyComeAndHoldsBackIncompleteCharacters() {
        StringWriter text = new StringWriter();
        TokenStream stream = new TokenStream(new BytesTokenizer(), "a", new PrintWriter(text));
        assertThat(text.toString()).isEqualTo("a");
        stream.onStep(0, new long[] {'b' + 6}, new boolean[] {false});
        assertThat(text.toString()).isEqualTo("ab");
        stream.onStep(1, new long[] {0xC3 + 6}, new boolean[] {false}); // first byte of é
        assertThat(text.toString()).isEqualTo("ab");
        stream.onStep(2, new long[] {0xA9 + 6}, new boolean[] {false});
        assertThat(text.toString()).isEqualTo("abé");
        stream.onStep(3, new long[] {2}, new boolean[] {true}); // EOS, not printed
        stream.onStep(4, new long[] {0}, new boolean[] {true});
        stream.finish("abé");
        assertThat(text.toString()).isEqualTo("abé" + System.lineSeparator());
    }
}
