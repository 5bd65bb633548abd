package dev.perceiver.tools.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Aggregates a libtorch profiler chrome trace (the JSON array written by
 * {@link dev.perceiver.nn.EngineProfiler}: complete events with {@code name}, {@code ts}, {@code dur} in microseconds,
 * {@code tid} and, when shapes were recorded, {@code shape}) by operator name and input shapes. Events nest (e.g.
 * {@code aten::linear} contains {@code aten::addmm}); the self time of an event is its duration less that of the
 * events directly inside it on the same thread, so self times add up to the busy time without double counting.
 */
public final class TraceSummary {
    /**
     * One operator with one set of input shapes.
     *
     * @param name operator, e.g. {@code aten::addmm}
     * @param shapes input shapes as recorded, e.g. {@code [[64, 128], [128, 128]]}
     * @param calls number of events
     * @param selfMicros summed self time
     * @param totalMicros summed duration including nested events
     * @param maxSelfMicros largest self time of one event (an outlier here means the thread was preempted)
     */
    public record Entry(
            String name, String shapes, long calls, double selfMicros, double totalMicros, double maxSelfMicros) {}

    private final List<Entry> entries;
    private final double busyMicros;
    private final double spanMicros;

    private TraceSummary(List<Entry> entries, double busyMicros, double spanMicros) {
        this.entries = entries;
        this.busyMicros = busyMicros;
        this.spanMicros = spanMicros;
    }

    /** Wall time from the first event's start to the last event's end, in microseconds. */
    public double spanMicros() {
        return spanMicros;
    }

    /** Entries by self time, largest first. */
    public List<Entry> entries() {
        return entries;
    }

    /** Sum of all self times (busy time of the profiled threads), in microseconds. */
    public double busyMicros() {
        return busyMicros;
    }

    /** Reads and aggregates a trace file. */
    public static TraceSummary read(Path trace) throws IOException {
        List<Event> events = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper();
        try (InputStream in = Files.newInputStream(trace);
                JsonParser p = new JsonFactory(mapper).createParser(in)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException(trace + ": a chrome trace must be a JSON array of events");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                JsonNode e = mapper.readTree(p);
                if (!"X".equals(e.path("ph").asText()) || !e.has("dur")) {
                    continue;
                }
                JsonNode shape = e.get("shape");
                events.add(new Event(
                        e.path("name").asText(),
                        shape == null ? "" : shape.toString().replace(",", ", "),
                        e.path("pid").asText() + "/" + e.path("tid").asText(),
                        e.path("ts").asDouble(),
                        e.path("dur").asDouble()));
            }
        }
        return aggregate(events);
    }

    /** A complete event; {@code child} accumulates the durations of the events directly inside it. */
    static final class Event {
        final String name;
        final String shapes;
        final String thread;
        final double ts;
        final double dur;
        double child;

        Event(String name, String shapes, String thread, double ts, double dur) {
            this.name = name;
            this.shapes = shapes;
            this.thread = thread;
            this.ts = ts;
            this.dur = dur;
        }

        double end() {
            return ts + dur;
        }
    }

    static TraceSummary aggregate(List<Event> events) {
        Map<String, List<Event>> byThread = new HashMap<>();
        for (Event e : events) {
            byThread.computeIfAbsent(e.thread, k -> new ArrayList<>()).add(e);
        }
        for (List<Event> thread : byThread.values()) {
            // parents first: earlier start, then longer duration
            thread.sort(Comparator.comparingDouble((Event e) -> e.ts).thenComparing(e -> -e.dur));
            Deque<Event> open = new ArrayDeque<>();
            for (Event e : thread) {
                while (!open.isEmpty() && open.peek().end() <= e.ts) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    open.peek().child += e.dur;
                }
                open.push(e);
            }
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Event> firsts = new LinkedHashMap<>();
        double busy = 0;
        double start = Double.POSITIVE_INFINITY;
        double end = Double.NEGATIVE_INFINITY;
        for (Event e : events) {
            String key = e.name + "\u0000" + e.shapes;
            double self = Math.max(0, e.dur - e.child);
            double[] s = sums.computeIfAbsent(key, k -> new double[4]);
            s[0]++;
            s[1] += self;
            s[2] += e.dur;
            s[3] = Math.max(s[3], self);
            firsts.putIfAbsent(key, e);
            busy += self;
            start = Math.min(start, e.ts);
            end = Math.max(end, e.end());
        }
        List<Entry> out = new ArrayList<>();
        sums.forEach((k, s) -> {
            Event e = firsts.get(k);
            out.add(new Entry(e.name, e.shapes, (long) s[0], s[1], s[2], s[3]));
        });
        out.sort(Comparator.comparingDouble(Entry::selfMicros).reversed());
        return new TraceSummary(out, busy, events.isEmpty() ? 0 : end - start);
    }

    /** Self time by operator name alone (shapes merged), largest first. */
    public List<Entry> byName() {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Entry e : entries) {
            double[] s = sums.computeIfAbsent(e.name(), k -> new double[4]);
            s[0] += e.calls();
            s[1] += e.selfMicros();
            s[2] += e.totalMicros();
            s[3] = Math.max(s[3], e.maxSelfMicros());
        }
        List<Entry> out = new ArrayList<>();
        sums.forEach((k, s) -> out.add(new Entry(k, "", (long) s[0], s[1], s[2], s[3])));
        out.sort(Comparator.comparingDouble(Entry::selfMicros).reversed());
        return out;
    }

    /** A text table of the {@code top} largest entries by op and shapes, then by op name. */
    public String format(int top) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "busy in ops %.1f ms (sum of self times) of %.1f ms from the first op to "
                        + "the last (the rest: Java between ops)%n",
                busyMicros / 1e3,
                spanMicros / 1e3));
        String header = "%8s %6s %7s %8s  %s%n";
        b.append(String.format(Locale.ROOT, header, "self ms", "self%", "calls", "max ms", "op by name"));
        appendRows(b, byName(), top);
        b.append(String.format(Locale.ROOT, header, "self ms", "self%", "calls", "max ms", "op and input shapes"));
        appendRows(b, entries, top);
        return b.toString();
    }

    private void appendRows(StringBuilder b, List<Entry> rows, int top) {
        for (int i = 0; i < Math.min(top, rows.size()); i++) {
            Entry e = rows.get(i);
            b.append(String.format(
                    Locale.ROOT,
                    "%8.2f %5.1f%% %7d %8.2f  %s%s%n",
                    e.selfMicros() / 1e3,
                    busyMicros > 0 ? 100 * e.selfMicros() / busyMicros : 0,
                    e.calls(),
                    e.maxSelfMicros() / 1e3,
                    e.name(),
                    e.shapes().isEmpty() ? "" : " " + e.shapes()));
        }
    }
}
