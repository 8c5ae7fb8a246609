package io.restorekit.daemon;

import io.restorekit.common.AtomicFiles;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/**
 * When each job last ran, kept in {@code RK_HOME/daemon/last-runs.properties} so that a run
 * missed while the daemon was down is made up at start.
 */
public final class DaemonState {
    private final Path file;
    private final Properties lastRuns = new Properties();

    public DaemonState(Path home) {
        this.file = home.resolve("daemon").resolve("last-runs.properties");
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                lastRuns.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read '" + file + "'", e);
            }
        }
    }

    public synchronized Instant lastRun(String job) {
        String v = lastRuns.getProperty(job);
        return v == null ? null : Instant.parse(v);
    }

    public synchronized void ran(String job, Instant at) {
        lastRuns.setProperty(job, at.toString());
        try {
            AtomicFiles.write(file, out -> {
                Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                lastRuns.store(text, "last run of each scheduled job (rk daemon)");
                text.flush();
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write '" + file + "'", e);
        }
    }

    public Path file() {
        return file;
    }
}
