package dev.perceiver.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineSetupTest {
    @Test
    void serialWorkersRunOnOneIntraOpThreadWhileTheProcessKeepsItsCount() throws Exception {
        Engine.getEngine("PyTorch");
        int processThreads = JniUtils.getNumThreads();
        try (EngineSetup.Applied applied = EngineSetup.builder()
                .threads(processThreads)
                .serialWorkers(2)
                .build()
                .apply()) {
            assertThat(applied.intraOpThreads()).isEqualTo(processThreads);
            assertThat(applied.interopThreads()).isPositive();
            for (int i = 0; i < 4; i++) {
                assertThat(CompletableFuture.supplyAsync(JniUtils::getNumThreads, applied.serialWorkers())
                                .get())
                        .as("a serial worker")
                        .isEqualTo(1);
            }
            assertThat(JniUtils.getNumThreads()).as("this thread").isEqualTo(processThreads);
            AtomicInteger fresh = new AtomicInteger();
            Thread t = new Thread(() -> fresh.set(JniUtils.getNumThreads()));
            t.start();
            t.join();
            assertThat(fresh.get()).as("a thread started afterwards").isEqualTo(processThreads);
        }
    }

    @Test
    void aThreadThatFirstTouchesTheEngineWhileWorkersStartGetsTheProcessCount() throws Exception {
        Engine.getEngine("PyTorch");
        int before = JniUtils.getNumThreads();
        int processThreads = 2;
        EngineSetup.builder().threads(processThreads).build().apply();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread starter = new Thread(() -> {
            while (!stop.get()) {
                EngineSetup.builder().serialWorkers(1).build().apply().close();
            }
        });
        starter.start();
        try {
            for (int i = 0; i < 40; i++) {
                AtomicInteger configured = new AtomicInteger();
                Thread t = new Thread(() -> configured.set(EngineSetup.configureThread()));
                t.start();
                t.join();
                assertThat(configured.get()).as("thread %d", i).isEqualTo(processThreads);
            }
        } finally {
            stop.set(true);
            starter.join();
            EngineSetup.builder().threads(before).build().apply();
        }
    }

    @Test
    void settingsWithoutTheRunningEngineOnlySetProperties() {
        try (EngineSetup.Applied applied =
                EngineSetup.builder().offline(true).build().apply()) {
            assertThat(applied.serialWorkers()).isNull();
            assertThat(applied.intraOpThreads()).isEqualTo(-1);
        }
    }

    @Test
    void outOfRangeSettingsAreRefusedWithTheirRange() {
        assertThatThrownBy(() -> EngineSetup.builder().threads(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads (0) must be in [1, 1024]");
        assertThatThrownBy(() -> EngineSetup.builder().interopThreads(2000).build())
                .hasMessage("interop_threads (2000) must be in [1, 1024]");
        assertThatThrownBy(() -> EngineSetup.builder().serialWorkers(-1).build())
                .hasMessage("serial_workers (-1) must be in [0, 1024]");
    }
}
