package dev.perceiver.cli;

import dev.perceiver.inference.decoding.StepListener;
import dev.perceiver.inference.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.Arrays;

/**
 * Prints one prompt and its continuation as the tokens come: after every step the text decoded so far, less what
 * is already printed. Text that a later token may still change (an incomplete UTF-8 sequence, shown as U+FFFD) is
 * held back until it is complete.
 */
final class TokenStream implements StepListener {
    private final Tokenizer tokenizer;
    private final long[] prompt;
    private final PrintWriter out;
    private long[] generated = new long[0];
    private String printed;
    private boolean finished;

    TokenStream(Tokenizer tokenizer, String promptText, PrintWriter out) {
        this.tokenizer = tokenizer;
        this.prompt = tokenizer.encode(promptText, false);
        this.out = out;
        this.printed = tokenizer.decode(prompt, true);
        out.print(printed);
        out.flush();
    }

    @Override
    public void onStep(int step, long[] tokens, boolean[] finishedRows) {
        if (finished) {
            return;
        }
        generated = Arrays.copyOf(generated, generated.length + 1);
        generated[generated.length - 1] = tokens[0];
        finished = finishedRows[0];
        long[] all = Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        String text = tokenizer.decode(all, true);
        int end = text.length();
        while (end > printed.length() && text.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        if (end > printed.length() && text.startsWith(printed)) {
            out.print(text.substring(printed.length(), end));
            out.flush();
            printed = text.substring(0, end);
        }
    }

    /** Prints the rest of the final text (or, if the stream diverged from it, the final text on a new line). */
    void finish(String fullText) {
        if (fullText.startsWith(printed)) {
            out.println(fullText.substring(printed.length()));
        } else {
            out.println();
            out.println(fullText);
        }
        out.flush();
    }
}
