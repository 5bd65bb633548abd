package dev.perceiver.cli;

import dev.perceiver.parity.ParityRunner;

/** The parity runner with every case this build supports. */
final class ParityRunners {
    private ParityRunners() {
    }

    static ParityRunner full() {
        return new ParityRunner();
    }
}
