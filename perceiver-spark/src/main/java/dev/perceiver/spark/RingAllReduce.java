package dev.perceiver.spark;

import dev.perceiver.train.DataParallel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Ring allreduce between the N workers of a data-parallel run, over TCP sockets (the gradients never pass through
 * the driver): worker r sends to worker r + 1 and receives from worker r - 1 (mod N). A sum of L floats is split into
 * N chunks; N - 1 reduce-scatter steps leave each worker with one fully summed chunk, N - 1 all-gather steps pass the
 * summed chunks around, so each worker sends and receives 2 (N - 1) L / N floats, whatever N. Every chunk is summed in
 * one fixed order, so all workers end with bit-identical values. Sending runs on a thread of its own while the
 * receiving side reads, so neither side waits for the other's socket buffer. A worker that fails closes its sockets,
 * so its neighbours' reads end with an error and the failure travels round the ring; a read also gives up, every
 * {@value #POLL_MS} ms, when {@code cancelled} says so (Spark killed the task: another worker failed).
 */
public final class RingAllReduce implements DataParallel, AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 120_000;
    private static final int POLL_MS = 2_000;

    private final int rank;
    private final int workers;
    private final Socket next;
    private final Socket previous;
    private final OutputStream out;
    private final InputStream in;
    private final BooleanSupplier cancelled;
    private final ExecutorService sender;
    private long nanos;
    private long calls;

    private RingAllReduce(int rank, int workers, Socket next, Socket previous, BooleanSupplier cancelled)
            throws IOException {
        this.rank = rank;
        this.cancelled = cancelled;
        this.workers = workers;
        this.next = next;
        this.previous = previous;
        this.out = next == null ? null : new BufferedOutputStream(next.getOutputStream(), 1 << 20);
        this.in = previous == null ? null : new BufferedInputStream(previous.getInputStream(), 1 << 20);
        this.sender = next == null
                ? null
                : Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "perceiver-ring-send-" + rank);
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Joins the ring: connects to the next worker's server and accepts the previous worker's connection.
     *
     * @param server this worker's listening socket, whose address is {@code addresses[rank]}
     * @param addresses {@code host:port} of every worker's server, by rank (as exchanged with allGather)
     * @param cancelled true when this worker should stop waiting for its neighbour (checked while a read waits)
     */
    public static RingAllReduce connect(int rank, ServerSocket server, String[] addresses, BooleanSupplier cancelled)
            throws IOException {
        int n = addresses.length;
        if (rank < 0 || rank >= n) {
            throw new IllegalArgumentException("rank (" + rank + ") must be in [0, " + n + ")");
        }
        if (n == 1) {
            return new RingAllReduce(0, 1, null, null, cancelled);
        }
        String target = addresses[(rank + 1) % n];
        int colon = target.lastIndexOf(':');
        Socket next = new Socket();
        next.setTcpNoDelay(true);
        next.connect(
                new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))),
                CONNECT_TIMEOUT_MS);
        server.setSoTimeout(CONNECT_TIMEOUT_MS);
        Socket previous = server.accept();
        previous.setTcpNoDelay(true);
        previous.setSoTimeout(POLL_MS);
        return new RingAllReduce(rank, n, next, previous, cancelled);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int workers() {
        return workers;
    }

    /** Seconds spent in {@link #allReduceSum} so far. */
    public double seconds() {
        return nanos / 1e9;
    }

    /** Number of {@link #allReduceSum} calls so far. */
    public long calls() {
        return calls;
    }

    @Override
    public void allReduceSum(float[] values) throws IOException {
        if (workers == 1) {
            return;
        }
        long t0 = System.nanoTime();
        int n = workers;
        for (int s = 0; s < n - 1; s++) { // reduce-scatter
            exchange(values, Math.floorMod(rank - s, n), Math.floorMod(rank - s - 1, n), true);
        }
        for (int s = 0; s < n - 1; s++) { // all-gather
            exchange(values, Math.floorMod(rank + 1 - s, n), Math.floorMod(rank - s, n), false);
        }
        nanos += System.nanoTime() - t0;
        calls++;
    }

    private int from(int length, int chunk) {
        return (int) ((long) length * chunk / workers);
    }

    /** Sends chunk {@code send} to the next worker while receiving chunk {@code receive}, added or copied. */
    private void exchange(float[] values, int send, int receive, boolean add) throws IOException {
        int s0 = from(values.length, send);
        int s1 = from(values.length, send + 1);
        ByteBuffer outgoing = ByteBuffer.allocate((s1 - s0) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        outgoing.asFloatBuffer().put(values, s0, s1 - s0);
        Future<?> sent = sender.submit(() -> {
            out.write(outgoing.array());
            out.flush();
            return null;
        });
        int r0 = from(values.length, receive);
        int r1 = from(values.length, receive + 1);
        byte[] bytes = new byte[(r1 - r0) * Float.BYTES];
        readFully(bytes);
        ByteBuffer incoming = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = r0; i < r1; i++) {
            float v = incoming.getFloat();
            values[i] = add ? values[i] + v : v;
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending to worker " + (rank + 1) % workers);
        } catch (ExecutionException e) {
            throw new IOException("sending to worker " + (rank + 1) % workers + " failed: " + e.getCause(), e);
        }
    }

    /** Reads {@code bytes.length} bytes from the previous worker, giving up when {@code cancelled} says so. */
    private void readFully(byte[] bytes) throws IOException {
        int done = 0;
        while (done < bytes.length) {
            int n;
            try {
                n = in.read(bytes, done, bytes.length - done);
            } catch (SocketTimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    throw new InterruptedIOException(
                            "cancelled while waiting for worker " + Math.floorMod(rank - 1, workers));
                }
                continue;
            }
            if (n < 0) {
                throw new EOFException("worker " + Math.floorMod(rank - 1, workers) + " closed the ring");
            }
            done += n;
        }
    }

    @Override
    public void close() throws IOException {
        if (sender != null) {
            sender.shutdownNow();
        }
        if (next != null) {
            next.close();
        }
        if (previous != null) {
            previous.close();
        }
    }
}
