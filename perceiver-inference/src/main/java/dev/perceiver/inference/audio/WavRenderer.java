package dev.perceiver.inference.audio;

import dev.perceiver.model.io.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Receiver;
import javax.sound.midi.Sequence;
import javax.sound.midi.Soundbank;
import javax.sound.midi.Synthesizer;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Renders a MIDI {@link Sequence} to a 16-bit PCM WAV file with the JDK's built-in software
 * synthesizer (Gervill) and its default soundbank, offline and faster than real time, without any
 * sound device (works headless).
 *
 * <p>Gervill's offline rendering entry point ({@code AudioSynthesizer.openStream}) lives in the
 * non-exported package {@code com.sun.media.sound}. When that package is exported to this code
 * (JVM option {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED}, or an
 * {@code Add-Exports} manifest entry of an executable jar), rendering runs in-process. Otherwise
 * the same rendering code runs in a short-lived helper JVM (same Java installation, started with
 * that option), which costs a JVM start-up but needs no configuration.
 *
 * <p>Instances are immutable; the {@code with...} methods return modified copies.
 */
public final class WavRenderer {

    /** Default output sample rate in Hz. */
    public static final float DEFAULT_SAMPLE_RATE = 44_100f;
    /** Default number of output channels (stereo). */
    public static final int DEFAULT_CHANNELS = 2;
    /** Default silence/release time appended after the last MIDI event, in seconds. */
    public static final double DEFAULT_TAIL_SECONDS = 1.0;

    static final String EXPORT_OPTION = "java.desktop/com.sun.media.sound=ALL-UNNAMED";
    private static final String SYNTH_PACKAGE = "com.sun.media.sound";

    private final float sampleRate;
    private final int channels;
    private final double tailSeconds;
    private final Path soundbank;
    private final boolean forceHelperJvm;

    /** Creates a renderer with 44.1 kHz stereo output, a 1 s tail and the JDK's default soundbank. */
    public WavRenderer() {
        this(DEFAULT_SAMPLE_RATE, DEFAULT_CHANNELS, DEFAULT_TAIL_SECONDS, null, false);
    }

    private WavRenderer(float sampleRate, int channels, double tailSeconds, Path soundbank, boolean forceHelperJvm) {
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.tailSeconds = tailSeconds;
        this.soundbank = soundbank;
        this.forceHelperJvm = forceHelperJvm;
    }

    /**
     * @param hz output sample rate, 8000..192000
     * @return a copy rendering at {@code hz}
     * @throws IllegalArgumentException if the rate is out of range
     */
    public WavRenderer withSampleRate(float hz) {
        if (!(hz >= 8000 && hz <= 192_000)) {
            throw new IllegalArgumentException("sample rate " + hz + " Hz is outside 8000..192000");
        }
        return new WavRenderer(hz, channels, tailSeconds, soundbank, forceHelperJvm);
    }

    /**
     * @param count 1 (mono) or 2 (stereo)
     * @return a copy rendering {@code count} channels
     * @throws IllegalArgumentException for other counts
     */
    public WavRenderer withChannels(int count) {
        if (count != 1 && count != 2) {
            throw new IllegalArgumentException("channel count " + count + " is not 1 or 2");
        }
        return new WavRenderer(sampleRate, count, tailSeconds, soundbank, forceHelperJvm);
    }

    /**
     * @param seconds time rendered after the last MIDI event (note release), 0..60
     * @return a copy with this tail
     * @throws IllegalArgumentException if out of range
     */
    public WavRenderer withTailSeconds(double seconds) {
        if (!(seconds >= 0 && seconds <= 60)) {
            throw new IllegalArgumentException("tail " + seconds + " s is outside 0..60");
        }
        return new WavRenderer(sampleRate, channels, seconds, soundbank, forceHelperJvm);
    }

    /**
     * @param sf2OrDls a SoundFont 2 or DLS file whose instruments replace the default ones, or
     *     {@code null} for the JDK's default soundbank
     * @return a copy using that soundbank
     */
    public WavRenderer withSoundbank(Path sf2OrDls) {
        return new WavRenderer(sampleRate, channels, tailSeconds, sf2OrDls, forceHelperJvm);
    }

    /** Test hook: always render in a helper JVM. */
    WavRenderer withHelperJvm() {
        return new WavRenderer(sampleRate, channels, tailSeconds, soundbank, true);
    }

    /** @return the output sample rate in Hz */
    public float sampleRate() {
        return sampleRate;
    }

    /** @return the number of output channels */
    public int channels() {
        return channels;
    }

    /** @return the time rendered after the last MIDI event, in seconds */
    public double tailSeconds() {
        return tailSeconds;
    }

    /**
     * Tells whether this JVM lets rendering run in-process (see the class description).
     *
     * @return true if {@code com.sun.media.sound} is exported to this class's module
     */
    public static boolean inProcessAvailable() {
        return Synthesizer.class.getModule().isExported(SYNTH_PACKAGE, WavRenderer.class.getModule());
    }

    /**
     * Renders a MIDI file to a WAV file.
     *
     * @param midiFile a Standard MIDI File
     * @param wavFile the target WAV file, written atomically; parent directories are created
     * @throws IOException if the MIDI file is invalid (the message names it) or rendering fails
     */
    public void render(Path midiFile, Path wavFile) throws IOException {
        render(MidiFiles.read(midiFile), wavFile);
    }

    /**
     * Renders a sequence to a 16-bit signed PCM WAV file. The audio lasts from time 0 to the last
     * MIDI event plus the tail; tempo changes on any track are honoured.
     *
     * @param sequence the MIDI sequence
     * @param wavFile the target WAV file, written atomically; parent directories are created
     * @throws IOException if the synthesizer is unavailable or writing fails
     */
    public void render(Sequence sequence, Path wavFile) throws IOException {
        Objects.requireNonNull(sequence, "sequence");
        Objects.requireNonNull(wavFile, "wavFile");
        if (soundbank != null && !Files.isRegularFile(soundbank)) {
            throw new IOException("soundbank " + soundbank + " does not exist or is not a regular file");
        }
        if (!forceHelperJvm && inProcessAvailable()) {
            AtomicFiles.write(
                    wavFile, out -> renderInProcess(sequence, out, sampleRate, channels, tailSeconds, soundbank));
        } else {
            renderInHelperJvm(sequence, wavFile);
        }
    }

    /**
     * Duration of a sequence in seconds: time of its last event, with tempo changes of all tracks.
     *
     * @param sequence the sequence
     * @return seconds from 0 to the last event
     */
    public static double durationSeconds(Sequence sequence) {
        List<Timed> events = schedule(sequence);
        return events.isEmpty() ? 0 : events.get(events.size() - 1).micros / 1e6;
    }

    // ------------------------------------------------------------------------------------------
    // In-process rendering (also the entry point of the helper JVM)
    // ------------------------------------------------------------------------------------------

    static void renderInProcess(
            Sequence sequence, OutputStream out, float sampleRate, int channels, double tailSeconds, Path soundbank)
            throws IOException {
        Synthesizer synth;
        try {
            synth = MidiSystem.getSynthesizer();
        } catch (MidiUnavailableException e) {
            throw new IOException("the JDK software synthesizer is unavailable: " + e.getMessage(), e);
        }
        AudioFormat format = new AudioFormat(sampleRate, 16, channels, true, false);
        AudioInputStream stream;
        try {
            Class<?> audioSynth = Class.forName(SYNTH_PACKAGE + ".AudioSynthesizer");
            if (!audioSynth.isInstance(synth)) {
                throw new IOException(
                        "the default synthesizer " + synth.getClass().getName() + " cannot render offline");
            }
            Method openStream = audioSynth.getMethod("openStream", AudioFormat.class, Map.class);
            Map<String, Object> info = new HashMap<>();
            info.put("interpolation", "sinc");
            info.put("max polyphony", 256);
            stream = (AudioInputStream) openStream.invoke(synth, format, info);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new IOException(
                    "offline rendering with the JDK synthesizer is not accessible (needs --add-exports " + EXPORT_OPTION
                            + "): " + e,
                    e);
        } catch (InvocationTargetException e) {
            throw new IOException("opening the JDK synthesizer for rendering failed: " + e.getCause(), e.getCause());
        }
        try {
            if (soundbank != null) {
                Soundbank bank;
                try {
                    bank = MidiSystem.getSoundbank(soundbank.toFile());
                } catch (InvalidMidiDataException e) {
                    throw new IOException(
                            "soundbank " + soundbank + " is not a valid SF2/DLS file: " + e.getMessage(), e);
                }
                if (!synth.isSoundbankSupported(bank) || !synth.loadAllInstruments(bank)) {
                    throw new IOException("soundbank " + soundbank + " could not be loaded into the synthesizer");
                }
            }
            Receiver receiver = synth.getReceiver();
            List<Timed> events = schedule(sequence);
            for (Timed timed : events) {
                if (!(timed.message instanceof MetaMessage)) {
                    receiver.send(timed.message, timed.micros);
                }
            }
            double seconds = (events.isEmpty() ? 0 : events.get(events.size() - 1).micros / 1e6) + tailSeconds;
            long frames = (long) Math.ceil(seconds * sampleRate);
            try (AudioInputStream limited = new AudioInputStream(stream, format, frames)) {
                AudioSystem.write(limited, AudioFileFormat.Type.WAVE, out);
            }
        } catch (MidiUnavailableException e) {
            throw new IOException("the JDK synthesizer has no receiver: " + e.getMessage(), e);
        } finally {
            synth.close();
        }
    }

    /** A MIDI message with its absolute time in microseconds. */
    private record Timed(long micros, MidiMessage message) {}

    /** Merges all tracks by tick (stable by track) and converts ticks to microseconds. */
    private static List<Timed> schedule(Sequence sequence) {
        List<long[]> order = new ArrayList<>(); // tick, track, index
        Track[] tracks = sequence.getTracks();
        for (int t = 0; t < tracks.length; t++) {
            for (int i = 0; i < tracks[t].size(); i++) {
                order.add(new long[] {tracks[t].get(i).getTick(), t, i});
            }
        }
        order.sort(Comparator.<long[]>comparingLong(e -> e[0])
                .thenComparingLong(e -> e[1])
                .thenComparingLong(e -> e[2]));
        boolean ppq = sequence.getDivisionType() == Sequence.PPQ;
        double resolution = sequence.getResolution();
        double microsPerTick = ppq ? 500_000.0 / resolution : 1e6 / (sequence.getDivisionType() * resolution);
        double micros = 0;
        long lastTick = 0;
        List<Timed> out = new ArrayList<>(order.size());
        for (long[] e : order) {
            MidiEvent event = tracks[(int) e[1]].get((int) e[2]);
            micros += (event.getTick() - lastTick) * microsPerTick;
            lastTick = event.getTick();
            MidiMessage message = event.getMessage();
            out.add(new Timed(Math.round(micros), message));
            if (ppq && message instanceof MetaMessage meta && meta.getType() == 0x51 && meta.getData().length >= 3) {
                byte[] d = meta.getData();
                int tempo = ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF);
                if (tempo > 0) {
                    microsPerTick = tempo / resolution;
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Helper JVM
    // ------------------------------------------------------------------------------------------

    private void renderInHelperJvm(Sequence sequence, Path target) throws IOException {
        Path classpath = codeLocation();
        Path java = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
        Path midi = Files.createTempFile("perceiver-render-", ".mid");
        Path out = Files.createTempFile("perceiver-render-", ".wav");
        Path log = Files.createTempFile("perceiver-render-", ".log");
        try {
            MidiFiles.writeDirect(sequence, midi);
            List<String> command = List.of(
                    java.toString(),
                    "--add-exports",
                    EXPORT_OPTION,
                    "-Djava.awt.headless=true",
                    "-Xmx512m",
                    "-cp",
                    classpath.toString(),
                    WavRenderProcess.class.getName(),
                    midi.toString(),
                    out.toString(),
                    Float.toString(sampleRate),
                    Integer.toString(channels),
                    Double.toString(tailSeconds),
                    soundbank == null ? "-" : soundbank.toAbsolutePath().toString());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            long timeoutSeconds = 120 + (long) (4 * (durationSeconds(sequence) + tailSeconds));
            boolean finished;
            try {
                finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while rendering " + target, e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new IOException(
                        "rendering " + target + " in a helper JVM timed out after " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                String output = Files.readString(log, StandardCharsets.UTF_8).strip();
                if (output.length() > 2000) {
                    output = "..." + output.substring(output.length() - 2000);
                }
                throw new IOException("rendering " + target + " in a helper JVM failed (exit code "
                        + process.exitValue() + "): " + output);
            }
            AtomicFiles.write(target, stream -> Files.copy(out, stream));
        } finally {
            Files.deleteIfExists(midi);
            Files.deleteIfExists(out);
            Files.deleteIfExists(log);
        }
    }

    private static Path codeLocation() throws IOException {
        CodeSource source = WavRenderer.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IOException("cannot locate the classes of " + WavRenderer.class.getName()
                    + " to start a helper JVM; run with --add-exports " + EXPORT_OPTION + " to render in-process");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException(
                    "cannot use class location " + source.getLocation() + " for a helper JVM; run with "
                            + "--add-exports " + EXPORT_OPTION + " to render in-process",
                    e);
        }
    }

    private static boolean isWindows() {
        return File.separatorChar == '\\';
    }
}
