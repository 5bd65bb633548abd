package dev.perceiver.nn;

/** Argument checks whose messages name the parameter, its value and the valid range. */
public final class Checks {
    private Checks() {}

    /** Requires {@code value > 0}. */
    public static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be > 0");
        }
    }

    /** Requires {@code value >= 0}. */
    public static void nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= 0");
        }
    }

    /** Requires {@code 0 <= p < 1}. */
    public static void probability(String name, double p) {
        if (!(p >= 0.0 && p < 1.0)) {
            throw new IllegalArgumentException(name + " (" + p + ") must be in [0, 1)");
        }
    }

    /** Requires {@code numerator % divisor == 0}. */
    public static void divisible(String name, long numerator, String divisorName, long divisor) {
        if (divisor > 0 && numerator % divisor != 0) {
            throw new IllegalArgumentException(
                    name + " (" + numerator + ") must be divisible by " + divisorName + " (" + divisor + ")");
        }
    }

    /** Generic condition with a message. */
    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
