package dev.perceiver.cli;

import dev.perceiver.serve.LoadGenerator;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code perceiver load-test}: closed-loop load against a local {@code perceiver serve}. */
@Command(
        name = "load-test",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Send the same request from N concurrent clients for a fixed time to a server on this machine "
                    + "(loopback only) and print one JSON line per client count: requests/s, p50/p99/max latency, "
                    + "errors, and the server's resident memory before and after (with --server-pid).%n"
        })
public final class LoadTestCommand implements Callable<Integer> {
    @Option(
            names = "--url",
            required = true,
            paramLabel = "URL",
            description = "Model endpoint, e.g. http://127.0.0.1:8080/v1/models/clm.")
    URI url;

    @Option(names = "--body", required = true, paramLabel = "JSON", description = "Request body.")
    String body;

    @Option(
            names = "--clients",
            split = ",",
            defaultValue = "1,8,32",
            paramLabel = "N[,N...]",
            description = "Concurrent clients, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(
            names = "--duration",
            defaultValue = "60",
            paramLabel = "S",
            description = "Seconds per run (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(
            names = "--warmup",
            defaultValue = "5",
            paramLabel = "S",
            description = "Seconds of untimed load with the first client count before the runs (default: "
                    + "${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--server-pid", paramLabel = "PID", description = "The server's process id, for its memory.")
    Long serverPid;

    @Override
    public Integer call() throws Exception {
        LoadGenerator load = new LoadGenerator(url, body, serverPid);
        if (warmup > 0) {
            load.run(clients.get(0), warmup);
        }
        for (int c : clients) {
            System.out.println(load.run(c, duration).json());
            System.out.flush();
        }
        return 0;
    }
}
