package dev.perceiver.spark;

import dev.perceiver.model.config.ConfigJson;
import dev.perceiver.train.DataParallel;
import dev.perceiver.train.run.TrainingRun;
import dev.perceiver.train.spec.TrainingSpecs;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One worker of a data-parallel training run, as a task of a barrier stage: opens a server socket, exchanges its
 * address with the other workers through {@link BarrierTaskContext#allGather} (not through the driver's data path),
 * joins the {@link RingAllReduce} and trains its replica ({@link TrainingRun#runWorker}). Returns one line:
 * {@code rank steps train_seconds allreduce_seconds allreduce_calls summary}.
 *
 * <p>A test can make one worker fail once ({@link #failingOnce}): in the stage's first attempt, that worker throws at
 * a given allreduce call, as a worker whose executor died would stop; the stage's retry must finish the run.
 */
public final class TrainingWorker extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String task;
    private final String options;
    private final String runDir;
    private final int slots;
    private final int failRank;
    private final long failCall;

    /**
     * @param options the resolved option tree as JSON
     * @param runDir the run folder, readable and writable by every worker (a shared file system on a cluster)
     * @param slots task slots of each executor JVM: libtorch gets the executor machine's cores / slots intra-op
     *     threads
     */
    public TrainingWorker(String task, String options, String runDir, int slots) {
        this(task, options, runDir, slots, -1, -1);
    }

    private TrainingWorker(String task, String options, String runDir, int slots, int failRank, long failCall) {
        this.task = task;
        this.options = options;
        this.runDir = runDir;
        this.slots = slots;
        this.failRank = failRank;
        this.failCall = failCall;
    }

    /**
     * For tests: this worker, except that worker {@code rank} throws at its allreduce call number {@code call} (1 is
     * the initial weights, 1 + k the gradients of step k) in the stage's first attempt only.
     */
    TrainingWorker failingOnce(int rank, long call) {
        return new TrainingWorker(task, options, runDir, slots, rank, call);
    }

    @Override
    public Iterator<String> apply(Iterator<Integer> ignored) {
        try {
            return CollectionConverters.asScala(List.of(train()).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String train() throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        ExecutorModels.setEngineOnce(Math.max(1, Runtime.getRuntime().availableProcessors() / slots));
        // the executor's address as Spark knows it, "host:port" of its RPC endpoint: keep the host
        String host = ctx.getTaskInfos()[rank].address().replaceFirst(":\\d+$", "");
        try (ServerSocket server = new ServerSocket(0)) {
            String[] addresses = ctx.allGather(host + ":" + server.getLocalPort());
            try (RingAllReduce ring = RingAllReduce.connect(rank, server, addresses, ctx::isInterrupted)) {
                DataParallel link = rank == failRank && ctx.stageAttemptNumber() == 0 ? failing(ring) : ring;
                TrainingRun.Outcome o = TrainingRun.runWorker(
                        TrainingSpecs.of(task), ConfigJson.parse(options), Path.of(runDir), link, System.err);
                String line = String.format(
                        Locale.ROOT,
                        "%d %d %.6f %.6f %d %s",
                        rank,
                        o.result().steps(),
                        o.result().trainSeconds(),
                        ring.seconds(),
                        ring.calls(),
                        rank == 0 ? o.summary() : "");
                ctx.barrier();
                return line;
            }
        }
    }

    /** {@code ring}, throwing at call {@link #failCall}. */
    private DataParallel failing(RingAllReduce ring) {
        return new DataParallel() {
            private long calls;

            @Override
            public int rank() {
                return ring.rank();
            }

            @Override
            public int workers() {
                return ring.workers();
            }

            @Override
            public void allReduceSum(float[] values) throws IOException {
                if (++calls == failCall) {
                    throw new IOException("worker " + failRank + " failed on purpose at allreduce call " + failCall
                            + " (a test of the stage's retry)");
                }
                ring.allReduceSum(values);
            }
        };
    }
}
