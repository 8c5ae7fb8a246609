package io.restorekit.drill;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.source.postgres.PostgresSourceSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drill in a second JVM, stopped while it loads data: SIGTERM runs its cleanup (shutdown hook);
 * SIGKILL leaves its marker, folder and embedded server, which are found and removed afterwards.
 */
@DisplayName("A drill stopped mid-way")
class KilledDrillTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("by SIGTERM cleans up in its shutdown hook; by SIGKILL leaves remains that are found and removed")
    void killed() throws Exception {
        Path repoDir = tmp.resolve("repo");
        try (Repository r = DrillFixture.newRepository(repoDir)) {
            DrillFixture.backup(r, List.of(DrillFixture.database("drill_killed", 2_000)));
        }

        Path termHome = tmp.resolve("home-term");
        Process term = child(repoDir, termHome);
        awaitLoading(term);
        Path termFolder = onlyFolder(termHome);
        assertThat(DrillFixture.processesUsing(termFolder)).isNotEmpty();
        term.destroy();
        assertThat(term.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(DrillLeftovers.find(termHome)).isEmpty();
        assertThat(termFolder).doesNotExist();
        assertThat(DrillFixture.processesUsing(termFolder)).isEmpty();

        Path killHome = tmp.resolve("home-kill");
        Process kill = child(repoDir, killHome);
        awaitLoading(kill);
        Path killFolder = onlyFolder(killHome);
        kill.destroyForcibly();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<DrillLeftovers.Leftover> left = DrillLeftovers.find(killHome);
        assertThat(left).singleElement().satisfies(l -> {
            assertThat(l.running()).isFalse();
            assertThat(l.describe()).contains("embedded PostgreSQL (pid", "folder " + killFolder, "which is gone");
        });
        assertThat(DrillFixture.processesUsing(killFolder)).isNotEmpty();

        // The next drill removes what the killed one left before it starts its own.
        try (Repository r = DrillFixture.open(repoDir)) {
            DrillReport next = new DrillService(r, new InMemoryCatalog(), killHome, Clock.systemUTC())
                    .run(request(), ProgressListener.NONE);
            assertThat(next.failures()).isEmpty();
            assertThat(next.cleanup()).anyMatch(s -> s.startsWith("earlier drill " + left.get(0).drill()
                    + ": stopped embedded PostgreSQL"));
        }
        assertThat(DrillLeftovers.find(killHome)).isEmpty();
        assertThat(killFolder).doesNotExist();
        assertThat(DrillFixture.processesUsing(killFolder)).isEmpty();
    }

    private static DrillRequest request() {
        return new DrillRequest(List.of(new PostgresSourceSpec("db", "jdbc:postgresql://127.0.0.1:1/gone", "postgres",
                null, null, "tenant_id", List.of(), List.of(), 2, null)), null, null, "embedded", null, null, false,
                null, List.of(), 0, 0, null);
    }

    private static Path onlyFolder(Path home) throws Exception {
        try (var s = Files.list(DrillLeftovers.root(home))) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private Process child(Path repoDir, Path home) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), KilledDrillTest.class.getName(),
                repoDir.toString(), home.toString()).redirectErrorStream(true).start();
    }

    private static void awaitLoading(Process p) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            seen.append(line).append('\n');
            if (line.equals("loading")) {
                Thread t = new Thread(() -> {
                    try {
                        in.transferTo(java.io.Writer.nullWriter());
                    } catch (Exception ignored) {
                        // the child ended
                    }
                });
                t.setDaemon(true);
                t.start();
                return;
            }
        }
        throw new AssertionError("the child drill ended before loading data: " + seen);
    }

    /** The child: a drill whose data load stalls after announcing itself, until the process is stopped. */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        AtomicBoolean announced = new AtomicBoolean();
        ProgressListener stalling = new ProgressListener() {
            @Override
            public void total(long bytes, long items) {
                if (announced.compareAndSet(false, true)) {
                    out.println("loading");
                    out.flush();
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (Repository r = DrillFixture.open(Path.of(args[0]))) {
            new DrillService(r, new InMemoryCatalog(), Path.of(args[1]), Clock.systemUTC()).run(request(), stalling);
        }
    }
}
