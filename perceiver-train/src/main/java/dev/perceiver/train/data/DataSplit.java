package dev.perceiver.train.data;

import java.util.Objects;

/**
 * A training part and a validation (or test) part of a data set.
 *
 * @param train data used for training
 * @param valid data used for validation / testing
 * @param <T> the data type of both parts
 */
public record DataSplit<T>(T train, T valid) {
    /** Both parts must be non-null. */
    public DataSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(valid, "valid");
    }
}
