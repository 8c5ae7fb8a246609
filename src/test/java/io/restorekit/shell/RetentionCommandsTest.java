package io.restorekit.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.retention.ForgetRequest;
import io.restorekit.retention.ForgetService;
import io.restorekit.retention.RetentionPlanner;
import io.restorekit.common.ProgressListener;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * forget and prune as operators run them: 400 daily snapshots made with {@code backup --time},
 * then {@code forget --dry-run --json} keeps exactly the hand-computed GFS set (the list and the
 * golden file of RetentionPlannerTest), then forget and prune free the space.
 */
@DisplayName("forget and prune commands")
class RetentionCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";
    /** The hand-computed set of RetentionPlannerTest (same policy, same days). */
    private static final List<String> HAND_KEPT = List.of("2025-12-31", "2026-02-14", "2026-03-10", "2026-06-30",
            "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-01", "2026-11-08", "2026-11-15",
            "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21");
    private static TimeZone zone;

    @TempDir
    Path dir;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    List<RepositorySession> sessions = new ArrayList<>();

    @BeforeAll
    static void utc() {
        // Days, weeks and months are counted in the local zone; the golden set is computed in UTC.
        zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    }

    @AfterAll
    static void restoreZone() {
        TimeZone.setDefault(zone);
    }

    @AfterEach
    void close() {
        sessions.forEach(RepositorySession::close);
    }

    RepositorySession session() {
        Map<String, String> env = new HashMap<>();
        env.put("RK_PASSWORD", PASSWORD);
        env.put("RK_CONFIG", dir.resolve("restorekit.yml").toString());
        env.put("RK_HOME", dir.resolve("home").toString());
        RepositorySession s = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
        sessions.add(s);
        return s;
    }

    Interaction unattended() {
        return Interaction.unattended(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
    }

    @Test
    @DisplayName("400 daily backups --time over 13 months: forget --dry-run keeps exactly the hand-computed GFS set")
    void fourHundredDays() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: uploads, type: files, path: data}
                retention:
                  keep-last: 2
                  daily: 7
                  weekly: 4
                  monthly: 6
                  yearly: 2
                  prune-grace: 0s
                """);
        Repository.init(LocalStorage.create(dir.resolve("repo")), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();
        RepositorySession session = session();
        BackupCommand backup = new BackupCommand(session, unattended());
        LocalDate first = LocalDate.of(2026, 11, 21).minusDays(399);
        Map<String, String> idOfDay = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            LocalDate day = first.plusDays(i);
            // A new file every 10 days, so forgetting old snapshots leaves data to prune.
            if (i % 10 == 0) {
                byte[] content = new byte[20_000];
                new java.util.Random(i).nextBytes(content);
                Files.write(dir.resolve("data").resolve("day-" + i + ".bin"), content);
                if (i >= 10) {
                    Files.delete(dir.resolve("data").resolve("day-" + (i - 10) + ".bin"));
                }
            }
            List<String> tags = day.equals(LocalDate.of(2026, 2, 14)) ? List.of("legal-hold") : List.of();
            JsonNode result = JSON.readTree(backup.backup(List.of(), tags, day + "T03:00:00Z", true, null));
            idOfDay.put(day.toString(), result.path("sources").get(0).path("snapshotId").asText());
        }
        assertThat(idOfDay.values()).doesNotContainNull().hasSize(400).doesNotHaveDuplicates();
        // Drills record themselves as DRILL runs; the newest one that passed per source is kept.
        InMemoryCatalog catalog = new InMemoryCatalog();
        for (String day : List.of("2026-01-05", "2026-03-10")) {
            Run drill = catalog.record(Run.begin(RunKind.DRILL, "uploads", "primary", Instant.parse(day + "T05:00:00Z")));
            catalog.update(drill.withSnapshot(idOfDay.get(day)).ended(Instant.parse(day + "T05:10:00Z"),
                    RunStatus.SUCCEEDED, null));
        }
        Run failedDrill = catalog.record(Run.begin(RunKind.DRILL, "uploads", "primary", Instant.now()));
        catalog.update(failedDrill.withSnapshot(idOfDay.get("2026-04-01")).ended(Instant.now(), RunStatus.FAILED, "x"));

        RetentionCommands commands = new RetentionCommands(session, unattended(), catalog);
        JsonNode dry = JSON.readTree(commands.forget(true, true));
        List<String> kept = new ArrayList<>();
        for (JsonNode d : dry.path("plan").path("decisions")) {
            if (d.path("keep").asBoolean()) {
                kept.add(Instant.parse(d.path("snapshot").path("time").asText()).atZone(ZoneOffset.UTC)
                        .toLocalDate().toString());
            }
        }
        assertThat(kept).containsExactlyElementsOf(HAND_KEPT);
        assertThat(dry.path("plan").path("decisions")).hasSize(400);
        // With the reasons of the golden file (the planner test's; ids left out, since they differ).
        String golden = Files.readString(Path.of("src/test/resources/retention/gfs-400-daily.txt"));
        Instant now = Instant.parse("2026-11-22T12:00:00Z");
        String plan = RetentionPlanner.render(new ForgetService(session.repository(), catalog,
                Clock.fixed(now, ZoneOffset.UTC)).forget(new ForgetRequest(session.config().retention().toPolicy(),
                true, ZoneOffset.UTC), ProgressListener.NONE).plan(), false);
        assertThat(plan).isEqualTo(golden);
        assertThat(commands.forget(true, false)).contains("dry run: would keep 17 snapshots and remove 383")
                .contains("newest that passed a drill");

        long before = packBytes();
        String forgot = commands.forget(false, false);
        assertThat(forgot).contains("kept 17 snapshots, removed 383");
        String pruned = commands.prune(false, null, false);
        long after = packBytes();
        assertThat(pruned).contains("reclaimed");
        assertThat(after).isLessThan(before / 2);
        System.err.println("400 daily snapshots, forget to 17 + prune: " + before + " -> " + after + " pack bytes\n"
                + pruned);
        Run prune = catalog.runs(RunQuery.of(RunKind.PRUNE)).get(0);
        assertThat(prune.bytesStored()).isEqualTo(before - after);
        String verify = new VerifyCommand(session, unattended()).verify(null, true, null, false);
        assertThat(verify).contains("verified 17 snapshots");
    }

    long packBytes() throws IOException {
        try (var all = Files.walk(dir.resolve("repo/data"))) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
