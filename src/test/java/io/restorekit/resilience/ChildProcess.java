package io.restorekit.resilience;

import io.restorekit.backup.BackupResult;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.ForwardingStorage;
import io.restorekit.storage.local.LocalStorage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM working on a folder repository, to be killed with SIGKILL by a test. Its main
 * prints one line per event on stdout: {@code opened}, {@code saved index/<id>},
 * {@code saved data/..}, {@code locked}, {@code done <snapshot>} or {@code failed <message>}.
 *
 * <pre>
 *   backup REPO SOURCE-NAME FOLDER [stall-after-index]
 *          back the folder up; with stall-after-index, the first pack saved after the first index
 *          file stalls midway (a slow disk) after printing {@code stalled data/..}
 *   lock   REPO SOURCE-NAME          take a backup lock on the source and wait to be killed
 * </pre>
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private ChildProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    seen.add(line);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ChildProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                ChildProcess.class.getName()));
        command.addAll(List.of(args));
        return new ChildProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits for a line starting with {@code prefix}; fails when the child ends or time runs out first. */
    String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, Math.min(left, 50_000_000L)), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && (!process.isAlive() && lines.isEmpty() || left <= 0)) {
                throw new AssertionError("child did not print '" + prefix + "' (alive=" + process.isAlive()
                        + "); it printed: " + seen);
            }
        }
    }

    /** SIGKILL, like {@code kill -9}; waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    List<String> output() {
        return List.copyOf(seen);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        Path repo = Path.of(args[1]);
        boolean stall = args.length > 4 && args[4].equals("stall-after-index");
        try (Repository repository = Repository.open(new Announcing(new LocalStorage(repo), out, stall),
                Resilience.PASSWORD.toCharArray())) {
            out.println("opened");
            out.flush();
            switch (args[0]) {
                case "backup" -> {
                    BackupResult r = Resilience.backup(repository, Resilience.source(args[2], Path.of(args[3])));
                    BackupResult.SourceResult s = r.sources().get(0);
                    out.println(s.error() == null ? "done " + s.snapshotId() : "failed " + s.error());
                }
                case "lock" -> {
                    RepositoryLock lock = repository.lock(LockRequest.backup(List.of(args[2])));
                    out.println("locked");
                    out.flush();
                    Thread.sleep(Duration.ofMinutes(5).toMillis());
                    lock.close();
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            out.flush();
        }
    }

    private static final int STALL_AT = 1 << 20;

    /** A payload whose stream, after {@link #STALL_AT} bytes, announces itself and hangs. */
    private record Stalling(Payload inner, Handle handle, PrintStream out) implements Payload {
        @Override
        public long length() {
            return inner.length();
        }

        @Override
        public InputStream open() throws IOException {
            return new java.io.FilterInputStream(inner.open()) {
                private long read;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (read >= STALL_AT) {
                        synchronized (out) {
                            out.println("stalled " + handle.path());
                            out.flush();
                        }
                        try {
                            Thread.sleep(Duration.ofMinutes(5).toMillis());
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                    }
                    int n = super.read(b, off, (int) Math.min(len, STALL_AT - read));
                    if (n > 0) {
                        read += n;
                    }
                    return n;
                }
            };
        }
    }

    /** Tells the parent about every completed save of an index or pack. */
    private static final class Announcing extends ForwardingStorage {
        private final PrintStream out;
        private final boolean stallAfterIndex;
        private volatile boolean indexSaved;

        Announcing(Storage inner, PrintStream out, boolean stallAfterIndex) {
            super(inner);
            this.out = out;
            this.stallAfterIndex = stallAfterIndex;
        }

        @Override
        public void save(Handle handle, Payload payload) throws IOException {
            if (stallAfterIndex && indexSaved && handle.kind() == Kind.PACK && payload.length() > STALL_AT) {
                payload = new Stalling(payload, handle, out);
            }
            inner.save(handle, payload);
            if (handle.kind() == Kind.INDEX) {
                indexSaved = true;
            }
            if (handle.kind() == Kind.INDEX || handle.kind() == Kind.PACK) {
                synchronized (out) {
                    out.println("saved " + handle.path());
                    out.flush();
                }
            }
        }
    }
}
