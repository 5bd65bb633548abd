package dev.perceiver.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: {@code --master} when given, else spark-submit's master, else {@code local[*]}. */
public final class SparkSessions {
    private SparkSessions() {}

    /**
     * @param master a Spark master URL ({@code local[2]}, {@code spark://host:7077}, {@code yarn}, ...) or null
     * @param appName the application's name in Spark's UI and logs
     */
    public static SparkSession open(String master, String appName) {
        SparkConf conf = new SparkConf(); // reads spark.* settings given by spark-submit
        SparkSession.Builder b = SparkSession.builder().appName(appName).config(conf);
        if (master != null) {
            b.master(master);
        } else if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        return b.getOrCreate();
    }

    /**
     * Task slots of one executor: {@code spark.executor.cores / spark.task.cpus}, else in local mode the number of
     * local threads, else 1. Each executor JVM gives libtorch {@code cores / slots} intra-op threads (its machine's
     * cores, counted on the executor), so that its concurrent tasks do not oversubscribe the cores.
     */
    public static int slotsPerExecutor(SparkSession spark) {
        SparkConf conf = spark.sparkContext().getConf();
        if (conf.contains("spark.executor.cores")) {
            int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
            return Math.max(1, conf.getInt("spark.executor.cores", 1) / taskCpus);
        }
        return spark.sparkContext().isLocal() ? Math.max(1, spark.sparkContext().defaultParallelism()) : 1;
    }
}
