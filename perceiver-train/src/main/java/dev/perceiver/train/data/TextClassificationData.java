package dev.perceiver.train.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Labelled texts together with the label vocabulary that produced their ids.
 *
 * @param examples the texts, in file order
 * @param labels the label mapping (shared, possibly with other splits)
 */
public record TextClassificationData(List<LabeledText> examples, LabelVocabulary labels) {
    /** Copies the example list. */
    public TextClassificationData {
        examples = List.copyOf(examples);
    }

    /** Number of examples. */
    public int size() {
        return examples.size();
    }

    /** Example {@code i}. */
    public LabeledText example(int i) {
        return examples.get(i);
    }

    /** Number of classes of the label vocabulary. */
    public int numClasses() {
        return labels.numClasses();
    }

    /** The examples at the given indices, in that order. */
    public List<LabeledText> examples(int[] indices) {
        List<LabeledText> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(examples.get(i));
        }
        return out;
    }
}
