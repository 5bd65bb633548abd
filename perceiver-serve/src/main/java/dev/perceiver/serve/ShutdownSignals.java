package dev.perceiver.serve;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT drain the server instead of killing the JVM: the handler starts {@link
 * PerceiverServer#drainAndStop()} on a thread of its own, so the process can then exit with status 0 (a JVM shutdown
 * hook alone would exit with 143).
 */
public final class ShutdownSignals {
    private ShutdownSignals() {}

    /** Installs the handlers for {@code server}. */
    public static void drainOnSignal(PerceiverServer server) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                Thread t = new Thread(server::drainAndStop, "perceiver-drain");
                t.start();
            });
        }
    }
}
