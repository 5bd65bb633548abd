package dev.perceiver.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Symbolic-audio training data from a folder of MIDI files: all {@code *.mid} / {@code *.midi} files below the
 * folder (recursively, sorted by relative path) are encoded with a {@link MidiTokenizer}, concatenated in that
 * order, and cut into chunks of {@code maxSeqLen + 1} tokens like {@link ClmDataset} (x = chunk[:-1],
 * labels = chunk[1:]). A chunk may span the end of one file and the start of the next.
 */
public final class MidiFolderDataset {
    private final List<Path> files;
    private final ClmDataset chunks;

    private MidiFolderDataset(List<Path> files, ClmDataset chunks) {
        this.files = files;
        this.chunks = chunks;
    }

    /**
     * Lists, encodes and chunks the MIDI files below {@code dir}.
     *
     * @throws IOException if {@code dir} is not a folder, holds no MIDI file, or a file fails to encode (named)
     */
    public static MidiFolderDataset load(Path dir, MidiTokenizer tokenizer, int maxSeqLen) throws IOException {
        List<Path> files = listMidiFiles(dir);
        if (files.isEmpty()) {
            throw new IOException(dir + ": no .mid or .midi files");
        }
        TokenStream stream = new TokenStream();
        for (Path f : files) {
            int[] ids;
            try {
                ids = tokenizer.encode(f);
            } catch (IOException | RuntimeException e) {
                throw new IOException(f + ": cannot encode MIDI file: " + e.getMessage(), e);
            }
            long[] wide = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                wide[i] = ids[i];
            }
            stream.add(wide, null);
        }
        return new MidiFolderDataset(files, ClmDataset.fromTokens(stream.ids(0, stream.length()), maxSeqLen));
    }

    /** The {@code *.mid} / {@code *.midi} files below {@code dir} (case-insensitive), sorted by relative path. */
    public static List<Path> listMidiFiles(Path dir) throws IOException {
        return SortedFiles.list(dir, ".mid", ".midi");
    }

    /** The encoded files, in stream order. */
    public List<Path> files() {
        return files;
    }

    /** The training chunks; collate them with a {@link ClmCollator}. */
    public ClmDataset chunks() {
        return chunks;
    }

    /** Number of training examples. */
    public int size() {
        return chunks.size();
    }
}
