package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.perceiver.inference.tokenizer.BytesTokenizer;
import dev.perceiver.inference.tokenizer.Tokenizer;
import dev.perceiver.inference.tokenizer.WordLevelTokenizerFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaskingTest {
    private static final BytesTokenizer TOK = new BytesTokenizer();

    private static String text(Random rnd, int words) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            if (w > 0) {
                sb.append(rnd.nextInt(10) == 0 ? "  " : " ");
            }
            int len = 1 + rnd.nextInt(8);
            for (int k = 0; k < len; k++) {
                sb.append((char) ('a' + rnd.nextInt(26)));
            }
        }
        return sb.toString();
    }

    @Test
    void tokenMaskingStatistics() {
        Random data = new Random(1);
        int n = 400_000;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i % 50 == 0 ? BytesTokenizer.SEP_ID : 6 + data.nextInt(256);
        }
        MlmExample ex = new MlmExample(ids, new int[n]);
        MaskedSequence m = new TokenMasker(TOK).mask(ex, new Random(7));
        int regular = 0;
        int selected = 0;
        int masked = 0;
        int changed = 0;
        int same = 0;
        for (int i = 0; i < n; i++) {
            if (TOK.isSpecial(ids[i])) {
                assertThat(m.labels()[i]).isEqualTo(LmBatch.IGNORE_LABEL);
                assertThat(m.input()[i]).isEqualTo(ids[i]);
                continue;
            }
            regular++;
            if (m.labels()[i] == LmBatch.IGNORE_LABEL) {
                assertThat(m.input()[i]).isEqualTo(ids[i]);
                continue;
            }
            assertThat(m.labels()[i]).isEqualTo(ids[i]);
            selected++;
            if (m.input()[i] == BytesTokenizer.MASK_ID) {
                masked++;
            } else if (m.input()[i] != ids[i]) {
                changed++;
                assertThat(m.input()[i]).isBetween(0L, 261L);
            } else {
                same++;
            }
        }
        assertThat((double) selected / regular).isCloseTo(0.15, within(0.005));
        assertThat((double) masked / selected).isCloseTo(0.80, within(0.01));
        assertThat((double) changed / selected).isCloseTo(0.10, within(0.01));
        assertThat((double) same / selected).isCloseTo(0.10, within(0.01));
        // input is not modified
        assertThat(ex.tokenIds()[1]).isEqualTo(ids[1]);
    }

    @Test
    void maskingIsDeterministicForASeed() {
        MlmExample ex = MlmDataset.build(List.of(text(new Random(3), 300)), TOK, 10_000, false)
                .example(0);
        for (MlmMasker masker : List.of(new TokenMasker(TOK), new WordMasker(TOK))) {
            MaskedSequence a = masker.mask(ex, new Random(5));
            MaskedSequence b = masker.mask(ex, new Random(5));
            MaskedSequence c = masker.mask(ex, new Random(6));
            assertThat(a.input()).containsExactly(b.input());
            assertThat(a.labels()).containsExactly(b.labels());
            assertThat(a.labels()).isNotEqualTo(c.labels());
        }
    }

    @Test
    void wholeWordMaskingMasksWholeWords() {
        Random data = new Random(11);
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < 40; d++) {
            docs.add(text(data, 1000));
        }
        MlmDataset ds = MlmDataset.build(docs, TOK, 512, true);
        WordMasker masker = new WordMasker(TOK);
        Random rnd = new Random(99);
        int words = 0;
        int selectedWords = 0;
        int maskedWords = 0;
        int keptWords = 0;
        int partialMask = 0;
        for (int e = 0; e < ds.size(); e++) {
            MlmExample ex = ds.example(e);
            MaskedSequence m = masker.mask(ex, rnd);
            int[] w = ex.wordIds();
            int i = 0;
            while (i < w.length) {
                if (w[i] == Tokenizer.NO_WORD) {
                    assertThat(ex.tokenIds()[i]).isEqualTo(BytesTokenizer.EOS_ID);
                    assertThat(m.labels()[i]).isEqualTo(LmBatch.IGNORE_LABEL);
                    i++;
                    continue;
                }
                int end = i + 1;
                while (end < w.length && w[end] == w[i]) {
                    end++;
                }
                words++;
                boolean sel = m.labels()[i] != LmBatch.IGNORE_LABEL;
                int maskCount = 0;
                boolean allSame = true;
                for (int k = i; k < end; k++) {
                    // labels are all-or-nothing within a word
                    assertThat(m.labels()[k] != LmBatch.IGNORE_LABEL).isEqualTo(sel);
                    if (sel) {
                        assertThat(m.labels()[k]).isEqualTo(ex.tokenIds()[k]);
                    } else {
                        assertThat(m.input()[k]).isEqualTo(ex.tokenIds()[k]);
                    }
                    if (m.input()[k] == BytesTokenizer.MASK_ID) {
                        maskCount++;
                    }
                    allSame &= m.input()[k] == ex.tokenIds()[k];
                }
                if (sel) {
                    selectedWords++;
                    if (maskCount == end - i) {
                        maskedWords++;
                    } else if (maskCount > 0) {
                        partialMask++;
                    } else if (allSame) {
                        keptWords++;
                    }
                }
                i = end;
            }
        }
        assertThat(words).isGreaterThan(30_000);
        assertThat((double) selectedWords / words).isCloseTo(0.15, within(0.01));
        assertThat((double) maskedWords / selectedWords).isCloseTo(0.80, within(0.02));
        assertThat((double) keptWords / selectedWords).isCloseTo(0.10, within(0.02));
        // a partially masked word can only come from random replacement hitting the mask id
        assertThat((double) partialMask / selectedWords).isLessThan(0.01);
    }

    @Test
    void aHuggingFaceTokenizerGivesItsOwnWordsUniqueAcrossDocuments(@TempDir Path tmp) throws Exception {
        WordLevelTokenizerFiles.write(tmp);
        try (Tokenizer words = Tokenizer.forModelFolder(tmp)) {
            MlmDataset ds = MlmDataset.build(List.of("the cat sat", "the dog ."), words, 100, false);
            MlmExample ex = ds.example(0);
            assertThat(ex.tokenIds()).containsExactly(5, 6, 7, 5, 10, 11);
            assertThat(ex.wordIds()).containsExactly(0, 1, 2, 3, 4, 5);
            // every word is one token here: masking all words masks every position with the [MASK] id (4)
            MaskedSequence all = new WordMasker(words, 1.0).mask(ex, new Random(1));
            assertThat(all.labels()).containsExactly(ex.tokenIds());
            assertThatThrownBy(() -> MlmDataset.build(List.of("the cat"), words, 100, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("eos_token")
                    .hasMessageContaining("data.add_eos_token");
        }
    }

    @Test
    void wordIdsAreUniqueAcrossDocuments() {
        MlmDataset ds = MlmDataset.build(List.of("ab", "cd"), TOK, 100, false);
        assertThat(ds.size()).isEqualTo(1);
        int[] w = ds.example(0).wordIds();
        assertThat(w[0]).isEqualTo(w[1]);
        assertThat(w[2]).isEqualTo(w[3]).isNotEqualTo(w[1]);
    }

    @Test
    void mlmChunkingDropsTail() {
        MlmDataset ds = MlmDataset.build(List.of("0123456789", "abcdefghij", "xyz"), TOK, 8, false);
        assertThat(ds.size()).isEqualTo(2); // 23 tokens -> 2 chunks of 8, tail of 7 dropped
        assertThat(TOK.decode(ds.example(1).tokenIds(), false)).isEqualTo("89abcdef");
        MlmDataset tiny = MlmDataset.build(List.of("abc"), TOK, 8, false);
        assertThat(tiny.size()).isEqualTo(1);
        assertThat(tiny.example(0).tokenIds()).hasSize(3);
    }

    @Test
    void mlmCollatorPadsOnTheRight() {
        MlmExample a = new MlmExample(TOK.encode("abcd", false), new int[] {0, 0, 0, 0});
        MlmExample b = new MlmExample(TOK.encode("ab", false), new int[] {0, 0});
        MlmCollator collator = new MlmCollator(new TokenMasker(TOK, 0.0), TOK.padTokenId());
        LmBatch batch = collator.collate(List.of(a, b), new Random(0));
        assertThat(batch.batchSize()).isEqualTo(2);
        assertThat(batch.seqLen()).isEqualTo(4);
        assertThat(batch.x()[1]).containsExactly('a' + 6, 'b' + 6, 0, 0);
        assertThat(batch.padMask()[1]).containsExactly(false, false, true, true);
        assertThat(batch.padMask()[0]).containsOnly(false);
        assertThat(batch.labels()[1]).containsOnly(LmBatch.IGNORE_LABEL);
        LmBatch all =
                new MlmCollator(new TokenMasker(TOK, 1.0), TOK.padTokenId()).collate(List.of(a, b), new Random(0));
        assertThat(all.labels()[1]).containsExactly('a' + 6, 'b' + 6, LmBatch.IGNORE_LABEL, LmBatch.IGNORE_LABEL);
        assertThat(all.labels()[0]).containsExactly(a.tokenIds());
    }
}
