package dev.perceiver.serve;

/**
 * SIGTERM and SIGINT drain the server: a JVM shutdown hook refuses new requests, lets those in flight finish ({@link
 * PerceiverServer#drainAndStop()}), then ends the process with status 0 (without it, a JVM ended by SIGTERM exits
 * with 143).
 */
public final class ShutdownSignals {
    private ShutdownSignals() {}

    /** Installs the hook for {@code server}. */
    public static void drainOnSignal(PerceiverServer server) {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.drainAndStop();
                            Runtime.getRuntime().halt(0);
                        },
                        "perceiver-drain"));
    }
}
