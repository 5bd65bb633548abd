package dev.perceiver.nn;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Process-wide settings of the engine (DJL with libtorch), applied once at start-up before any model work: the only
 * place that sets engine properties (the command line, the benchmark and tests use it). Build with
 * {@link #builder()}, then {@link #apply()}.
 *
 * <p>Serial workers: libtorch keeps its intra-op thread count per calling thread (OpenMP's and MKL's per-thread
 * settings, taken from a process-wide default when a thread first runs parallel work). {@link #apply()} can start
 * worker threads whose count is fixed at one while the process default stays at {@code threads}. Work made of many
 * tiny operations, such as single-token decoding steps, runs faster there than with several intra-op threads, whose
 * wake-up and join cost more than each operation (the README's benchmark section has the numbers). The workers are
 * configured here, once, so no call ever switches a process-wide thread count.
 *
 * @param threads libtorch intra-op threads of the process, in [1, 1024], or null for libtorch's default (the cores)
 * @param interopThreads libtorch inter-op threads, in [1, 1024], or null for libtorch's default; fixed once libtorch
 *     has run parallel work
 * @param seed seed of the engine's random generator (parameter initialisation, dropout), or null to leave it
 * @param offline whether DJL must not download anything, or null for the JVM's {@code -Dai.djl.offline} when given
 *     and true otherwise (libtorch comes from the pytorch-native jar on the class path)
 * @param serialWorkers number of worker threads with one intra-op thread each, in [0, 1024]
 */
public record EngineSetup(Integer threads, Integer interopThreads, Long seed, Boolean offline, int serialWorkers) {
    /** Largest accepted thread or worker count. */
    public static final int MAX_THREADS = 1024;

    private static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    private static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    private static final String OFFLINE = "ai.djl.offline";
    private static final AtomicInteger WORKER_IDS = new AtomicInteger();
    private static final String WORKER_NAME = "perceiver-serial-";
    /**
     * Held while the process default of libtorch's intra-op thread count is not the configured one (while serial
     * workers are being configured) and while a thread takes its count in {@link #configureThread()}.
     */
    private static final Object THREADS_LOCK = new Object();
    /** The configured intra-op thread count of the process, or -1 before {@link #apply()} started the engine. */
    private static volatile int processThreads = -1;

    /** Validates the ranges; messages name the setting, the value and the valid range. */
    public EngineSetup {
        checkThreads("threads", threads);
        checkThreads("interop_threads", interopThreads);
        if (serialWorkers < 0 || serialWorkers > MAX_THREADS) {
            throw new IllegalArgumentException(
                    "serial_workers (" + serialWorkers + ") must be in [0, " + MAX_THREADS + "]");
        }
    }

    private static void checkThreads(String name, Integer value) {
        if (value != null && (value < 1 || value > MAX_THREADS)) {
            throw new IllegalArgumentException(name + " (" + value + ") must be in [1, " + MAX_THREADS + "]");
        }
    }

    /** A builder; every setting unset (libtorch's defaults, offline unless the JVM says otherwise, no workers). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Applies the settings: the engine properties first; then, when a setting needs the running engine (threads,
     * seed, serial workers), starts it, sets the intra-op thread count of a running engine that has another, seeds
     * it and starts the serial workers. Call it at start-up, before any model work: the thread settings are
     * process-wide. Without such settings the engine starts at its first use, with these properties.
     *
     * @return the applied state (close it to stop the serial workers)
     * @throws IllegalStateException when libtorch cannot be loaded
     */
    public Applied apply() {
        if (threads != null) {
            System.setProperty(NUM_THREADS, Integer.toString(threads));
        }
        if (interopThreads != null) {
            System.setProperty(NUM_INTEROP_THREADS, Integer.toString(interopThreads));
        }
        String given = System.getProperty(OFFLINE);
        boolean off = offline != null ? offline : given == null || Boolean.parseBoolean(given);
        System.setProperty(OFFLINE, Boolean.toString(off));
        if (threads == null && seed == null && serialWorkers == 0) {
            return new Applied(-1, -1, null);
        }
        Engine engine = startEngine();
        boolean pyTorch = "PyTorch".equals(engine.getEngineName());
        if (pyTorch) {
            synchronized (THREADS_LOCK) {
                if (threads != null && JniUtils.getNumThreads() != threads) {
                    JniUtils.setNumThreads(threads);
                }
                if (threads != null || processThreads == -1) {
                    processThreads = JniUtils.getNumThreads();
                }
            }
        }
        if (seed != null) {
            engine.setRandomSeed((int) (seed & 0x7fffffff));
        }
        ExecutorService workers = serialWorkers == 0 ? null : startSerialWorkers(serialWorkers, pyTorch);
        return pyTorch
                ? new Applied(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), workers)
                : new Applied(-1, -1, workers);
    }

    /** Loads libtorch; the error explains where it comes from. */
    private static Engine startEngine() {
        try {
            return Engine.getEngine("PyTorch");
        } catch (EngineException e) {
            if (nativeFlavor() != null) {
                throw e;
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalStateException(
                    "libtorch could not be loaded (" + e.getMessage() + ": " + root
                            + "): without the pytorch-native-cpu jar on the classpath (a -Pcuda build) DJL downloads "
                            + "libtorch on the first run, which needs network once; or point PYTORCH_LIBRARY_PATH at a "
                            + "local libtorch 2.7.1 (with PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR)",
                    e);
        }
    }

    /**
     * Starts {@code n} worker threads and fixes the intra-op thread count of each at one: libtorch's setter stores
     * the count as the process default too, so each worker sets it and runs its thread initialisation while this
     * thread waits, and this thread then restores the default. Only here, at start-up.
     */
    private static ExecutorService startSerialWorkers(int n, boolean pyTorch) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(n, n, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, WORKER_NAME + WORKER_IDS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        if (!pyTorch) {
            return pool;
        }
        synchronized (THREADS_LOCK) {
            return configureSerialWorkers(pool, n);
        }
    }

    /** The window in which the process default is one: other threads take their count only after it. */
    private static ExecutorService configureSerialWorkers(ThreadPoolExecutor pool, int n) {
        int processDefault = JniUtils.getNumThreads();
        CountDownLatch allStarted = new CountDownLatch(n);
        List<Future<Integer>> configured = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // a pool below its core size starts a new thread per task, so each task configures another worker
            configured.add(pool.submit(() -> {
                JniUtils.setNumThreads(1);
                allStarted.countDown();
                allStarted.await();
                return JniUtils.getNumThreads();
            }));
        }
        try {
            for (Future<Integer> f : configured) {
                if (f.get() != 1) {
                    throw new IllegalStateException("a serial worker reports " + f.get() + " intra-op threads, not 1");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
            throw new IllegalStateException("interrupted while starting the serial workers", e);
        } catch (ExecutionException e) {
            pool.shutdownNow();
            throw new IllegalStateException("a serial worker could not be configured", e.getCause());
        } finally {
            JniUtils.setNumThreads(processDefault);
        }
        return pool;
    }

    /**
     * Gives the calling thread the process's configured intra-op thread count (the {@code threads} of the last
     * {@link #apply()}, else libtorch's default). libtorch gives a thread the process default when the thread first
     * runs parallel work; while serial workers are being started that default is one for a moment, so a thread that
     * first touches libtorch then would keep one thread. Call this on a new thread before its first model work (the
     * trainer does); it waits for such a moment to pass. Serial workers keep their one thread.
     *
     * @return the calling thread's intra-op thread count, or -1 on another engine
     */
    public static int configureThread() {
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) {
            return -1;
        }
        synchronized (THREADS_LOCK) {
            int have = JniUtils.getNumThreads();
            int want = processThreads;
            if (want > 0 && have != want && !Thread.currentThread().getName().startsWith(WORKER_NAME)) {
                JniUtils.setNumThreads(want);
                return JniUtils.getNumThreads();
            }
            return have;
        }
    }

    /**
     * The result of {@code work} run on {@code executor} (a serial worker, say), waiting for it; on this thread when
     * {@code executor} is null. Whatever {@code work} throws reaches the caller unwrapped.
     */
    public static <T> T callOn(Executor executor, Callable<T> work) throws Exception {
        if (executor == null) {
            return work.call();
        }
        try {
            return CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return work.call();
                                } catch (Exception e) {
                                    throw new CompletionException(e);
                                }
                            },
                            executor)
                    .join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** The folder libtorch was loaded from, or null when the PyTorch engine has not been loaded. */
    static Path libtorchDir() {
        try {
            String dir = LibUtils.getLibtorchPath();
            return dir == null ? null : Path.of(dir);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return null;
        }
    }

    /** The flavor of the libtorch jar on the class path (e.g. {@code cpu}), or null without one. */
    public static String nativeFlavor() {
        try (InputStream in = EngineSetup.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("flavor");
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The state after {@link #apply()}.
     *
     * @param intraOpThreads libtorch's intra-op thread count of the process, or -1 when the engine was not started
     * @param interopThreads libtorch's inter-op thread count, or -1 when the engine was not started
     * @param serialWorkers the serial workers (one intra-op thread each), or null without them
     */
    public record Applied(int intraOpThreads, int interopThreads, ExecutorService serialWorkers)
            implements AutoCloseable {
        /** Stops the serial workers (work already submitted finishes). */
        @Override
        public void close() {
            if (serialWorkers != null) {
                serialWorkers.shutdown();
            }
        }
    }

    /** Builds an {@link EngineSetup}; see the record's components for the meaning of each setting. */
    public static final class Builder {
        private Integer threads;
        private Integer interopThreads;
        private Long seed;
        private Boolean offline;
        private int serialWorkers;

        private Builder() {}

        public Builder threads(Integer value) {
            threads = value;
            return this;
        }

        public Builder interopThreads(Integer value) {
            interopThreads = value;
            return this;
        }

        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder offline(Boolean value) {
            offline = value;
            return this;
        }

        public Builder serialWorkers(int value) {
            serialWorkers = value;
            return this;
        }

        public EngineSetup build() {
            return new EngineSetup(threads, interopThreads, seed, offline, serialWorkers);
        }
    }
}
