package dev.perceiver.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.perceiver.inference.tokenizer.BytesTokenizer;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClmTest {
    private static final BytesTokenizer TOK = new BytesTokenizer();

    @Test
    void documentsAreSeparatedByEosAndCutIntoChunks() {
        // "abc" EOS "defgh" EOS "ij" EOS = 13 tokens; chunks of 4+1 = 5 -> 2 chunks, tail of 3 dropped
        ClmDataset ds = ClmDataset.fromDocuments(List.of("abc", "defgh", "ij"), TOK, 4);
        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.maxSeqLen()).isEqualTo(4);
        assertThat(ds.chunk(0)).containsExactly('a' + 6, 'b' + 6, 'c' + 6, BytesTokenizer.EOS_ID, 'd' + 6);
        assertThat(ds.chunk(1)).containsExactly('e' + 6, 'f' + 6, 'g' + 6, 'h' + 6, BytesTokenizer.EOS_ID);
        assertThat(ds.input(0)).containsExactly('a' + 6, 'b' + 6, 'c' + 6, BytesTokenizer.EOS_ID);
        assertThat(ds.labels(0)).containsExactly('b' + 6, 'c' + 6, BytesTokenizer.EOS_ID, 'd' + 6);
    }

    @Test
    void labelsAreInputsShiftedByOne() {
        long[] stream = new long[1000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = 6 + (i * 7) % 256;
        }
        ClmDataset ds = ClmDataset.fromTokens(stream, 32);
        assertThat(ds.size()).isEqualTo(1000 / 33);
        for (int e = 0; e < ds.size(); e++) {
            long[] x = ds.input(e);
            long[] y = ds.labels(e);
            assertThat(x).hasSize(32);
            assertThat(y).hasSize(32);
            for (int t = 0; t < 32; t++) {
                assertThat(x[t]).isEqualTo(stream[e * 33 + t]);
                assertThat(y[t]).isEqualTo(stream[e * 33 + t + 1]);
            }
        }
    }

    @Test
    void shortCorpusGivesOneLeftPaddedExample() {
        ClmDataset ds = ClmDataset.fromDocuments(List.of("ab"), TOK, 8);
        assertThat(ds.size()).isEqualTo(1);
        LmBatch b = new ClmCollator(TOK.padTokenId(), null)
                .collate(
                        List.of(
                                ds.chunk(0),
                                ClmDataset.fromTokens(new long[] {7, 8, 9, 10, 11}, 4)
                                        .chunk(0)),
                        new Random(0));
        assertThat(b.seqLen()).isEqualTo(4);
        assertThat(b.x()[0]).containsExactly(0, 0, 'a' + 6, 'b' + 6);
        assertThat(b.labels()[0])
                .containsExactly(LmBatch.IGNORE_LABEL, LmBatch.IGNORE_LABEL, 'b' + 6, BytesTokenizer.EOS_ID);
        assertThat(b.padMask()[0]).containsExactly(true, true, false, false);
        assertThat(b.x()[1]).containsExactly(7, 8, 9, 10);
        assertThat(b.labels()[1]).containsExactly(8, 9, 10, 11);
        assertThat(b.padMask()[1]).containsOnly(false);
        assertThat(ClmDataset.fromDocuments(List.of(), TOK, 8).size()).isZero();
    }

    @Test
    void randomTruncationBounds() {
        long[] stream = new long[20 * 17];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = 6 + i % 256;
        }
        ClmDataset ds = ClmDataset.fromTokens(stream, 16);
        ClmCollator collator = new ClmCollator(TOK.padTokenId(), new RandomTruncation(10));
        LmBatch full = new ClmCollator(TOK.padTokenId(), null).collate(ds, new int[] {0, 1, 2}, new Random(0));
        Random rnd = new Random(3);
        Set<Integer> lengths = new HashSet<>();
        for (int k = 0; k < 500; k++) {
            LmBatch b = collator.collate(ds, new int[] {0, 1, 2}, rnd);
            int len = b.seqLen();
            assertThat(len).isBetween(10, 15);
            lengths.add(len);
            for (int r = 0; r < 3; r++) {
                assertThat(b.x()[r]).hasSize(len);
                assertThat(b.labels()[r]).hasSize(len);
                assertThat(b.padMask()[r]).hasSize(len);
                for (int t = 0; t < len; t++) {
                    assertThat(b.x()[r][t]).isEqualTo(full.x()[r][t]); // a prefix is kept
                    assertThat(b.labels()[r][t]).isEqualTo(full.labels()[r][t]);
                }
            }
        }
        assertThat(lengths).containsExactlyInAnyOrder(10, 11, 12, 13, 14, 15);
        // seeded: same draws for the same seed
        LmBatch a = collator.collate(ds, new int[] {0}, new Random(42));
        LmBatch a2 = collator.collate(ds, new int[] {0}, new Random(42));
        assertThat(a.seqLen()).isEqualTo(a2.seqLen());
        // at or below the minimum: unchanged
        LmBatch small = new RandomTruncation(16).apply(full, new Random(1));
        assertThat(small).isSameAs(full);
        assertThatThrownBy(() -> new RandomTruncation(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
