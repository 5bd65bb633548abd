package dev.perceiver.spark;

import java.util.List;

/**
 * One input of a job as an executor sees it.
 *
 * @param id the row's id (from the input's {@code id} column, else its position in the input)
 * @param values the task's input fields ({@link InferenceSettings#inputFields()}), in order; an entry may be null
 */
public record InputRow(String id, List<String> values) {
    /** The value of input field {@code i}. */
    public String value(int i) {
        return values.get(i);
    }
}
