package dev.perceiver.inference.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DownloadProgressTest {
    @Test
    void aTerminalGetsOneLineRedrawnInPlaceThatEndsWithANewline() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        DownloadProgress p =
                new DownloadProgress(new PrintStream(o, true, StandardCharsets.UTF_8), true, "a/b f", 2000);
        p.startAt(0);
        p.add(1000);
        p.finish();
        String s = o.toString(StandardCharsets.UTF_8);
        assertThat(s).startsWith("\ra/b f [                    ]  0 B / 2.0 kB    0%");
        assertThat(s)
                .contains("\ra/b f [##########          ]  1.0 kB / 2.0 kB   50%")
                .endsWith(System.lineSeparator());
        assertThat(s.split(System.lineSeparator())).hasSize(1);
    }

    @Test
    void elsewhereOnlyTheLastLineAndResumptionsArePrintedForAQuickDownload() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        DownloadProgress p = new DownloadProgress(new PrintStream(o, true, StandardCharsets.UTF_8), false, "a/b f", -1);
        p.startAt(0);
        p.add(1500);
        p.resuming(1500, new IOException("closed"));
        p.startAt(1500);
        p.add(500);
        p.finish();
        String[] lines = o.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).isEqualTo("a/b f: interrupted at 1.5 kB (IOException: closed); resuming");
        assertThat(lines[1]).startsWith("a/b f  2.0 kB  ").endsWith("/s");
    }

    @Test
    void sizesAndCausesAreShortAndReadable() {
        assertThat(DownloadProgress.bytes(999)).isEqualTo("999 B");
        assertThat(DownloadProgress.bytes(820_300_000)).isEqualTo("820.3 MB");
        assertThat(DownloadProgress.bytes(1_234_000_000_000L)).isEqualTo("1.2 TB");
        ConnectException c = new ConnectException();
        c.initCause(new UnresolvedAddressException());
        assertThat(DownloadProgress.describe(c)).isEqualTo("ConnectException caused by UnresolvedAddressException");
        assertThat(DownloadProgress.describe(new IOException("a\n  b"))).isEqualTo("IOException: a b");
    }
}
