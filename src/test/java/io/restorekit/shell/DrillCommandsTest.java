package io.restorekit.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.daemon.DaemonState;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code drill}, {@code daemon}, {@code schedule print} and {@code doctor}, in process, as an operator sees them. */
class DrillCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";

    @TempDir
    Path dir;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    RepositorySession session;
    InMemoryCatalog catalog = new InMemoryCatalog();
    Map<String, String> env;
    java.util.concurrent.atomic.AtomicInteger alerted = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void database() throws SQLException {
        EmbeddedPostgresServer.freshDatabase("drill_shop");
        try (Connection c = EmbeddedPostgresServer.connect("drill_shop"); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE companies (id bigint PRIMARY KEY, tenant_id int NOT NULL, owner_id int);
                    CREATE TABLE invoices (id bigserial PRIMARY KEY, tenant_id int NOT NULL,
                        company_id bigint NOT NULL REFERENCES companies, total numeric(12, 2));
                    INSERT INTO companies SELECT g, 1 + g % 3, g FROM generate_series(1, 30) g;
                    INSERT INTO invoices (tenant_id, company_id, total)
                        SELECT 1 + (g % 30 + 1) % 3, g % 30 + 1, g * 1.25 FROM generate_series(1, 900) g;
                    """);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("uploads/tenant-1"));
        Files.writeString(dir.resolve("uploads/tenant-1/a.txt"), "invoice 1\n");
        Files.writeString(dir.resolve("uploads/tenant-1/b.txt"), "invoice 2\n");
        config("""
                drill:
                  target: "%s"
                  rto: 1h
                  checks:
                    - {name: every company has an owner, sql: "select count(*) from companies where owner_id is null", expect: "= 0"}
                    - {name: invoices, sql: "select count(*) from invoices", expect: "between 100 and 1000"}
                schedule:
                  backup: "*/2 * * * * *"
                  drill: "*/2 * * * * *"
                """.formatted(EmbeddedPostgresServer.url("postgres") + "?user=postgres"));
        Repository.init(LocalStorage.create(dir.resolve("repo")), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();
        env = Map.of("RK_PASSWORD", PASSWORD, "RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString());
        session = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
    }

    void config(String extra) throws IOException {
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: db, type: postgres, url: "%s", username: postgres}
                  - {name: uploads, type: files, path: uploads}
                """.formatted(EmbeddedPostgresServer.url("drill_shop")) + extra);
    }

    @AfterEach
    void tearDown() {
        session.close();
    }

    Interaction unattended() {
        return Interaction.unattended(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
    }

    DrillCommands drill() {
        return new DrillCommands(session, unattended(), catalog, now -> alerted.incrementAndGet());
    }

    void backup() throws IOException {
        new BackupCommand(session, unattended()).backup(List.of(), List.of(), null, false, null);
    }

    @Test
    @DisplayName("drill run passes on the configured server and leaves no database; history and report read it back")
    void runHistoryReport() throws Exception {
        backup();
        JsonNode report = JSON.readTree(drill().run(null, null, null, null, false, true));
        assertThat(report.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(report.path("checks").findValuesAsText("name")).contains("check: every company has an owner",
                "check: invoices", "table public.invoices", "restored files match their SHA-256");
        long id = report.path("id").asLong();
        assertThat(id).isPositive();
        assertThat(databases()).noneMatch(d -> d.startsWith("rk_drill_"));

        String history = drill().history(20, false);
        assertThat(history).containsPattern("ID\\s+STARTED\\s+RESULT").containsPattern(id + "\\s+.*PASSED\\s+all");
        String md = drill().report(id, false);
        assertThat(md).startsWith("# Restore drill #" + id).contains("**Result: PASSED**",
                "| ok | db | check: invoices | between 100 and 1000 | 900 |");
        assertThat(JSON.readTree(drill().report(id, true)).path("drill").asText()).startsWith("rk_drill_");
    }

    @Test
    @DisplayName("a failed configured check prints the report and exits 3 naming the check")
    void failedCheckExits3() throws Exception {
        config("""
                drill:
                  target: "%s"
                  checks:
                    - {name: plenty of invoices, sql: "select count(*) from invoices", expect: "> 5000"}
                """.formatted(EmbeddedPostgresServer.url("postgres") + "?user=postgres"));
        backup();
        RkException e = catchThrowableOfType(() -> drill().run("db", null, null, null, false, false),
                RkException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.PROBLEMS_FOUND);
        assertThat(e.getMessage()).contains("db: check: plenty of invoices: expected > 5000, got 900");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("**Result: FAILED**", "**FAILED**");
        assertThat(catalog.runs(RunQuery.of(RunKind.DRILL)).get(0).status()).isEqualTo(RunStatus.FAILED);
        assertThat(alerted.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("the daemon on a schedule every two seconds runs backup, then drill, and records both")
    void daemonRunsBackupThenDrill() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        int runs = DaemonCommand.daemon(session.config(), DaemonCommand.builtInJobs(session, catalog),
                new DaemonState(session.home()), Clock.systemUTC(), log::add, null).run(2);
        assertThat(runs).isEqualTo(2);
        List<Run> all = new ArrayList<>(catalog.runs(RunQuery.ALL));
        Collections.reverse(all);
        assertThat(all).extracting(Run::kind).containsExactly(RunKind.BACKUP, RunKind.BACKUP, RunKind.DRILL);
        assertThat(all).extracting(Run::status).containsOnly(RunStatus.SUCCEEDED);
        Run drill = all.get(2);
        assertThat(drill.snapshot()).isEqualTo(all.get(0).snapshot());
        assertThat(log).anyMatch(l -> l.startsWith("backup: SUCCEEDED"))
                .anyMatch(l -> l.startsWith("drill: SUCCEEDED") && l.contains("passed"));
        assertThat(log.indexOf(log.stream().filter(l -> l.startsWith("backup: SUCCEEDED")).findFirst().orElseThrow()))
                .isLessThan(log.indexOf(log.stream().filter(l -> l.startsWith("drill: started")).findFirst()
                        .orElseThrow()));
        assertThat(new DaemonState(session.home()).lastRun("drill")).isNotNull();
    }

    @Test
    @DisplayName("schedule print writes crontab lines and systemd timers")
    void schedulePrint() throws IOException {
        assertThat(catchThrowableOfType(() -> new ScheduleCommands(session).print("cron"), RkException.class))
                .hasMessageContaining("crontab has minutes at most").extracting(RkException::code)
                .isEqualTo(ErrorCode.BAD_INPUT);
        config("""
                schedule:
                  backup: "0 0 3 * * *"
                  drill: "0 0 2 * * SUN#1"
                """);
        String cron = new ScheduleCommands(session).print("cron");
        assertThat(cron).contains("0 3 * * * RK_CONFIG=" + dir.resolve("restorekit.yml") + " rk backup")
                .contains("0 2 1-7 * * [ \"$(date +\\%u)\" = 7 ] && RK_CONFIG=");
        String systemd = new ScheduleCommands(session).print("systemd");
        assertThat(systemd).contains("# /etc/systemd/system/rk-drill.timer", "OnCalendar=Sun *-*-01..07 02:00:00",
                "ExecStart=/usr/local/bin/rk drill run", "Persistent=true");
    }

    @Test
    @DisplayName("doctor reports a killed drill's leftovers and --fix removes them")
    void doctorLeftovers() throws Exception {
        Path folder = dir.resolve("home/drills/rk_drill_20260101000000_abcdef");
        Files.createDirectories(folder.resolve("files/uploads"));
        Files.writeString(folder.resolve("files/uploads/a.txt"), "half restored");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("home/drills/rk_drill_20260101000000_abcdef.json"), """
                {"drill": "rk_drill_20260101000000_abcdef", "pid": %d, "started": "2026-01-01T00:00:00Z",
                 "folder": "%s", "databases": []}
                """.formatted(gone.pid(), folder));
        try (Connection c = EmbeddedPostgresServer.connect("drill_shop"); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA rk_replaced_mx1_ab_1");
            st.execute("CREATE TABLE rk_replaced_mx1_ab_1.invoices (id int)");
        }
        DoctorCommand doctor = new DoctorCommand(session, new StorageFactory(), unattended(), env);
        String out = doctor.doctor(false, false);
        assertThat(out).containsPattern("WARNING\\s+source\\s+db\\s+schemas rk_replaced_mx1_ab_1 hold what a"
                        + " restore with --yes set aside and did not drop")
                .contains("drop them (DROP SCHEMA ... CASCADE)")
                .containsPattern("WARNING\\s+leftovers\\s+rk_drill_20260101000000_abcdef\\s+drill .*which is gone")
                .contains("remove with 'rk doctor --fix'")
                .containsPattern("ok\\s+repository\\s+")
                .containsPattern("ok\\s+source\\s+db\\s+PostgreSQL")
                .containsPattern("WARNING\\s+roles\\s+");
        assertThat(folder).exists();
        JsonNode fixed = JSON.readTree(doctor.doctor(true, true));
        assertThat(fixed.toString()).contains("deleted folder " + folder);
        assertThat(folder).doesNotExist();
        assertThat(dir.resolve("home/drills/rk_drill_20260101000000_abcdef.json")).doesNotExist();
        assertThat(doctor.doctor(false, false)).containsPattern("ok\\s+leftovers\\s+.*no drill left anything behind")
                .contains("schemas rk_replaced_mx1_ab_1"); // the operator's to drop, not --fix's
        try (Connection c = EmbeddedPostgresServer.connect("drill_shop"); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA rk_replaced_mx1_ab_1 CASCADE");
        }
    }

    static List<String> databases() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = EmbeddedPostgresServer.connect("postgres"); Statement st = c.createStatement();
             var r = st.executeQuery("SELECT datname FROM pg_database")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    @Test
    @DisplayName("drill.runbook: a drill that passed runs the runbook; a failing step of it fails the drill (exit 3)")
    void drillRunsItsRunbook() throws Exception {
        config("""
                drill:
                  target: "%s"
                  runbook: proof
                """.formatted(EmbeddedPostgresServer.url("postgres") + "?user=postgres"));
        session.reset();
        backup();
        io.restorekit.runbook.GitRunbookStore store = io.restorekit.runbook.GitRunbookStore.open(
                new io.restorekit.runbook.RunbookStoreSettings(dir.resolve("home/runbooks").toString(),
                        dir.resolve("home"), Path.of("runbooks"), null, null, null, null));
        List<List<String>> ran = new java.util.ArrayList<>();
        int[] exit = {0};
        io.restorekit.runbook.StepExecutor steps = words -> {
            ran.add(words);
            return new io.restorekit.runbook.StepExecutor.Outcome(exit[0], "ok", exit[0] == 0 ? null : "step failed");
        };
        io.restorekit.runbook.RunbookService runbooks = new io.restorekit.runbook.RunbookService(() -> store, catalog,
                steps, java.time.Clock.systemUTC(), () -> io.restorekit.runbook.RunbookParser.CONTRACT_COMMANDS);
        Path file = Files.writeString(dir.resolve("proof.rk"), "title: Proof\n---\nrk snapshots\nrk verify\n");
        runbooks.save("proof", Files.readString(file), "the drill's procedure");
        org.springframework.beans.factory.support.StaticListableBeanFactory beans =
                new org.springframework.beans.factory.support.StaticListableBeanFactory();
        beans.addBean("runbooks", runbooks);
        DrillCommands drill = new DrillCommands(session, unattended(), catalog, now -> { },
                beans.getBeanProvider(io.restorekit.runbook.RunbookService.class));
        try {
            assertThat(drill.run(null, null, null, null, false, false)).contains("runbook 'proof'").contains("passed, 2 steps");
            assertThat(ran).containsExactly(List.of("snapshots"), List.of("verify"));
            exit[0] = 4;
            assertThat(CommandsTest.exit(() -> drill.run(null, null, null, null, false, false))).isEqualTo(3);
        } finally {
            store.close();
        }
    }
}
