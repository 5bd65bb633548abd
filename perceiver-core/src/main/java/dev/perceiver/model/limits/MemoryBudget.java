package dev.perceiver.model.limits;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The memory a request may claim: engine (native) memory up to {@link #NATIVE_FRACTION} of the machine's physical
 * memory, Java heap up to the JVM's maximum heap ({@code -Xmx}). A config or batch whose estimate exceeds the budget
 * fails before anything is allocated, with a message naming the field and the estimate.
 */
public final class MemoryBudget {
    /** Share of the physical memory that engine arrays (parameters, activations) may claim. */
    public static final double NATIVE_FRACTION = 0.75;

    private MemoryBudget() {}

    /** Physical memory of the machine in bytes (or the container's limit, as the JVM sees it). */
    public static long physicalMemory() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }

    /** Bytes engine arrays may claim: {@link #NATIVE_FRACTION} of {@link #physicalMemory()}. */
    public static long nativeBudget() {
        return (long) (physicalMemory() * NATIVE_FRACTION);
    }

    /** Bytes the Java heap may hold ({@code -Xmx}). */
    public static long heapBudget() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Fails when an estimate of engine memory exceeds {@link #nativeBudget()}.
     *
     * @param field the option or config field responsible (e.g. {@code model_config.vocab_size (4000000)})
     * @param what what is estimated (e.g. "the model's parameters and buffers")
     * @param bytes the estimate; {@code Long.MAX_VALUE} for an overflow
     * @throws IllegalArgumentException naming the field, the estimate and the budget
     */
    public static void checkNative(String field, String what, long bytes) {
        long budget = nativeBudget();
        if (bytes > budget) {
            throw new IllegalArgumentException(field + ": " + what + " would need an estimated " + format(bytes)
                    + " of memory, more than the " + format(budget) + " available ("
                    + Math.round(NATIVE_FRACTION * 100) + "% of " + format(physicalMemory()) + " physical memory)");
        }
    }

    /**
     * Fails when an estimate of Java heap exceeds {@link #heapBudget()}.
     *
     * @throws IllegalArgumentException naming the field, the estimate and the heap limit
     */
    public static void checkHeap(String field, String what, long bytes) {
        long budget = heapBudget();
        if (bytes > budget) {
            throw new IllegalArgumentException(field + ": " + what + " would need an estimated " + format(bytes)
                    + " of Java heap, more than the " + format(budget) + " maximum heap (-Xmx)");
        }
    }

    /** Bytes as a human-readable figure ("1.5 GiB"); {@code Long.MAX_VALUE} reads "more than 8 EiB". */
    public static String format(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
