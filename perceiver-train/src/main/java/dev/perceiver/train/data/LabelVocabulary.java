package dev.perceiver.train.data;

import dev.perceiver.model.limits.InputLimits;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps class labels to ids. Integer labels are used as ids directly; string labels get ids in order of first
 * appearance, and the mapping is kept so that a validation file loaded with the same instance uses the same
 * ids. One vocabulary holds either integer or string labels, never both. Not thread-safe.
 */
public final class LabelVocabulary {
    private enum Kind {
        EMPTY,
        INTEGER,
        STRING
    }

    private final List<String> names = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private Kind kind = Kind.EMPTY;
    private int maxInt = -1;
    private final BitSet seen = new BitSet();

    /** An empty vocabulary that accepts either kind of label. */
    public LabelVocabulary() {}

    /** A string vocabulary with the given names as ids {@code 0..names.size()-1}. */
    public static LabelVocabulary of(String... names) {
        LabelVocabulary v = new LabelVocabulary();
        for (String n : names) {
            v.idOf(n);
        }
        return v;
    }

    /**
     * Id of a string label, assigning the next free id on first appearance.
     *
     * @throws IllegalArgumentException if this vocabulary holds integer labels
     */
    public int idOf(String name) {
        if (kind == Kind.INTEGER) {
            throw new IllegalArgumentException("string label '" + name + "' in a data set with integer labels");
        }
        kind = Kind.STRING;
        Integer id = ids.get(name);
        if (id == null) {
            id = names.size();
            names.add(name);
            ids.put(name, id);
        }
        return id;
    }

    /**
     * Id of an integer label (the label itself).
     *
     * @throws IllegalArgumentException if negative or if this vocabulary holds string labels
     */
    public int idOf(int label) {
        if (kind == Kind.STRING) {
            throw new IllegalArgumentException("integer label " + label + " in a data set with string labels");
        }
        if (label < 0) {
            throw new IllegalArgumentException("negative label " + label);
        }
        if (label >= InputLimits.MAX_CLASSES) {
            throw new IllegalArgumentException("integer label " + label + " is out of range: integer labels are class"
                    + " ids in 0.." + (InputLimits.MAX_CLASSES - 1) + " (use string labels for other names)");
        }
        kind = Kind.INTEGER;
        maxInt = Math.max(maxInt, label);
        seen.set(label);
        return label;
    }

    /** Whether string labels are mapped (as opposed to integer labels or no labels yet). */
    public boolean hasStringLabels() {
        return kind == Kind.STRING;
    }

    /**
     * Number of classes: names seen, or largest integer label + 1.
     *
     * @throws IllegalArgumentException if integer labels are sparse: fewer than half of the ids {@code 0..max} occur
     *     (integer labels must be dense class ids; a sparse set would build a model of mostly unused classes)
     */
    public int numClasses() {
        if (kind == Kind.INTEGER && seen.cardinality() * 2 < maxInt + 1) {
            throw new IllegalArgumentException("integer labels are not dense class ids: " + seen.cardinality()
                    + " distinct labels but the largest is " + maxInt + " (labels must be 0..num_classes-1; at least"
                    + " half of them must occur)");
        }
        return kind == Kind.STRING ? names.size() : maxInt + 1;
    }

    /** Class names by id (for integer labels the decimal ids). */
    public List<String> names() {
        if (kind == Kind.STRING) {
            return List.copyOf(names);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= maxInt; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }
}
