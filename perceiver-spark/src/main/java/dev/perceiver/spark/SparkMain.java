package dev.perceiver.spark;

import java.util.Arrays;

/**
 * Entry point of the perceiver-spark module (its own class path, so that Spark never loads in the other commands):
 * {@code train ...} runs {@link SparkTrainCommand}, anything else {@link SparkCommand} (batch inference). The
 * launcher {@code ./perceiver} starts it for {@code perceiver spark ...} and for {@code perceiver train ...
 * --trainer.strategy=spark}; spark-submit starts it as the shaded jar's main class.
 */
public final class SparkMain {
    private SparkMain() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("train")) {
            System.exit(SparkCommand.execute(new SparkTrainCommand(), Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(SparkCommand.execute(args));
    }
}
