package io.restorekit.drill;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.drill.DrillReport.Check;
import io.restorekit.repository.Repository;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("A restore drill")
class DrillServiceTest {
    @TempDir
    static Path tmp;
    Path repoDir;
    Repository repository;
    List<SourceSpec> sources;

    @BeforeAll
    void setUp() throws Exception {
        repoDir = tmp.resolve("repo");
        repository = DrillFixture.newRepository(repoDir);
        sources = List.of(DrillFixture.database("drill_src", 5_000), DrillFixture.files(tmp.resolve("uploads"), 40));
        DrillFixture.backup(repository, sources);
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    private DrillRequest request(String target, Duration rto, List<DrillRequest.SqlCheck> checks) {
        return new DrillRequest(sources, null, null, target, target.equals("embedded") ? null : "postgres", null, false,
                rto, checks, 0, 10, null);
    }

    private static final DrillRequest.SqlCheck NO_NEGATIVE = new DrillRequest.SqlCheck("no negative amounts",
            "select count(*) from invoices where amount < 0", "= 0");

    @Test
    @DisplayName("on a good snapshot passes every check, is recorded, and leaves no database, server or folder")
    void passes() throws Exception {
        Path home = tmp.resolve("home-pass");
        InMemoryCatalog catalog = new InMemoryCatalog();
        DrillService service = new DrillService(repository, catalog, home, Clock.systemUTC());
        DrillReport report = service.run(request("embedded", Duration.ofHours(4), List.of(NO_NEGATIVE,
                new DrillRequest.SqlCheck("companies", "select count(*) from companies", "between 1 and 30"))),
                ProgressListener.NONE);

        assertThat(report.failures()).isEmpty();
        assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(report.code()).isEqualTo(ErrorCode.OK);
        List<String> names = report.checks().stream().map(Check::name).toList();
        assertThat(names).contains("table public.invoices", "rows per tenant of public.invoices", "schema fingerprint",
                "constraints and indexes created", "check: no negative amounts", "check: companies",
                "restored files match their SHA-256", "live files unchanged since the backup match it",
                "restore time within the RTO");
        Check invoices = report.checks().stream().filter(c -> c.name().equals("table public.invoices")).findFirst()
                .orElseThrow();
        assertThat(invoices.expected()).startsWith("5000 rows, digest ").isEqualTo(invoices.actual());
        Check constraints = report.checks().stream().filter(c -> c.name().equals("constraints and indexes created"))
                .findFirst().orElseThrow();
        assertThat(constraints.actual()).isEqualTo("7 constraints, 1 indexes");
        Check live = report.checks().stream().filter(c -> c.name().startsWith("live files")).findFirst().orElseThrow();
        assertThat(live.actual()).isEqualTo("10 matching");
        assertThat(report.sources()).extracting(DrillReport.SourceDrill::source).containsExactly("db", "uploads");
        assertThat(report.sources().get(1).files()).isEqualTo(40);
        assertThat(report.restoreMs()).isPositive();

        // Nothing left: no marker, no folder, no server process running from the drill's folder.
        Path drills = DrillLeftovers.root(home);
        try (Stream<Path> left = Files.list(drills)) {
            assertThat(left.toList()).isEmpty();
        }
        assertThat(DrillFixture.processesUsing(drills.resolve(report.drill()))).isEmpty();
        assertThat(report.cleanup()).anyMatch(s -> s.startsWith("stopped the embedded PostgreSQL"));

        // Recorded, and readable back as the same report.
        List<Run> runs = catalog.runs(RunQuery.of(RunKind.DRILL));
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(runs.get(0).snapshot()).isEqualTo(report.sources().get(0).snapshot());
        DrillReport back = service.report(runs.get(0).id());
        assertThat(back).isEqualTo(report);
        assertThat(back.markdown()).contains("**Result: PASSED**", "| ok | db | table public.invoices |",
                "measured restore time (RTO proven)");
    }

    @Test
    @DisplayName("fails naming the check when a configured check fails, and drops its database on a JDBC target")
    void failedCheck() throws Exception {
        InMemoryCatalog catalog = new InMemoryCatalog();
        DrillService service = new DrillService(repository, catalog, tmp.resolve("home-check"), Clock.systemUTC());
        DrillReport report = service.run(request(EmbeddedPostgresServer.url("postgres"), null, List.of(NO_NEGATIVE,
                new DrillRequest.SqlCheck("every company has an owner", "select count(*) from companies", "> 100"))),
                ProgressListener.NONE);

        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.code()).isEqualTo(ErrorCode.PROBLEMS_FOUND);
        assertThat(report.failures()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("check: every company has an owner");
            assertThat(c.expected()).isEqualTo("> 100");
            assertThat(c.actual()).isEqualTo("30");
        });
        assertThat(report.markdown()).contains("**FAILED**", "every company has an owner: expected > 100, got 30");
        assertThat(catalog.runs(RunQuery.ALL).get(0).error()).contains("every company has an owner");
        assertThat(report.sources().get(0).restoredTo()).contains(report.drill());
        assertThat(databasesLike("rk_drill_%")).isEmpty();
    }

    @Test
    @DisplayName("warns when the restore is slower than the RTO")
    void slowerThanRto() {
        DrillService service = new DrillService(repository, new InMemoryCatalog(), tmp.resolve("home-rto"),
                Clock.systemUTC());
        DrillReport report = service.run(request(EmbeddedPostgresServer.url("postgres"), Duration.ofMillis(1),
                List.of()), ProgressListener.NONE);
        assertThat(report.status()).as(report.markdown()).isEqualTo(RunStatus.WARNING);
        assertThat(report.code()).isEqualTo(ErrorCode.OK);
        assertThat(report.failures()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("restore time within the RTO");
            assertThat(c.expected()).isEqualTo("<= 1 ms");
        });
    }

    @Test
    @DisplayName("fails naming the damaged pack when a pack of the snapshot is corrupted")
    void corruptPack() throws Exception {
        Path copy = tmp.resolve("repo-corrupt");
        copyTree(repoDir, copy);
        Path biggest;
        try (Stream<Path> all = Files.walk(copy.resolve("data"))) {
            biggest = all.filter(Files::isRegularFile).max(Comparator.comparingLong(DrillServiceTest::size)).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(biggest);
        bytes[bytes.length / 3] ^= 0x40;
        Files.write(biggest, bytes);
        Path home = tmp.resolve("home-corrupt");
        try (Repository damaged = DrillFixture.open(copy)) {
            DrillReport report = new DrillService(damaged, new InMemoryCatalog(), home, Clock.systemUTC())
                    .run(request("embedded", null, List.of()), ProgressListener.NONE);
            assertThat(report.status()).isEqualTo(RunStatus.FAILED);
            assertThat(report.failures()).isNotEmpty();
            Check failed = report.failures().get(0);
            assertThat(failed.name()).as(report.markdown()).isEqualTo("restore completes");
            assertThat(failed.actual()).contains(biggest.getFileName().toString());
        }
        try (Stream<Path> left = Files.list(DrillLeftovers.root(home))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    @DisplayName("with --keep leaves the database and folder, says where, and doctor's cleanup removes them")
    void keep() throws Exception {
        Path home = tmp.resolve("home-keep");
        DrillRequest keep = new DrillRequest(sources, null, null, EmbeddedPostgresServer.url("postgres"), "postgres",
                null, true, null, List.of(), 0, 0, null);
        DrillReport report = new DrillService(repository, new InMemoryCatalog(), home, Clock.systemUTC())
                .run(keep, ProgressListener.NONE);
        assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(report.keptAt()).contains("databases " + report.drill(), "folder ", "rk doctor --fix");
        assertThat(databasesLike(report.drill())).containsExactly(report.drill());
        assertThat(DrillLeftovers.root(home).resolve(report.drill()).resolve("files/uploads")).isDirectory();

        List<DrillLeftovers.Leftover> left = DrillLeftovers.find(home);
        assertThat(left).singleElement().satisfies(l -> assertThat(l.describe()).contains("(kept with --keep)"));
        DrillLeftovers.clean(left.get(0), m -> DrillLeftovers.Admin.of(new io.restorekit.source.postgres.PgConnect(
                EmbeddedPostgresServer.url("postgres"), "postgres", null, null)));
        assertThat(databasesLike(report.drill())).isEmpty();
        assertThat(DrillLeftovers.find(home)).isEmpty();
    }

    @Test
    @DisplayName("refuses, saying what to do, an embedded server older than the source")
    void olderEmbeddedServer() {
        String jar = System.getProperty("restorekit.test.postgres15", "target/postgres15/postgres15-binaries.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(Path.of(jar)),
                "PostgreSQL 15 binaries not found at '" + jar + "'");
        Path home = tmp.resolve("home-old");
        DrillReport report = new DrillService(repository, new InMemoryCatalog(), home, Clock.systemUTC())
                .run(new DrillRequest(sources.subList(0, 1), null, null, "embedded", null, null, false, null,
                        List.of(), 0, 0, Path.of(jar)), ProgressListener.NONE);
        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.error()).isEqualTo("source 'db' was backed up from PostgreSQL 17, newer than the embedded"
                + " PostgreSQL available (15); drill into a server of version 17 or newer with --target"
                + " jdbc:postgresql://HOST/postgres (or drill.target)");
        assertThat(DrillLeftovers.find(home)).isEmpty();
    }

    @Test
    @DisplayName("killed mid-way leaves a marker, a server and a database that are found and removed")
    void leftovers() throws Exception {
        Path home = tmp.resolve("home-killed");
        String drill = "rk_drill_20260101000000_dead00";
        Path folder = DrillLeftovers.root(home).resolve(drill);
        EmbeddedServer server = EmbeddedServer.start(folder.resolve("postgres"), null);
        String database = drill;
        EmbeddedPostgresServer.get().recreateDatabase(database);
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        DrillLeftovers.write(DrillLeftovers.root(home).resolve(drill + ".json"), new DrillLeftovers.Marker(drill,
                gone.pid(), java.time.Instant.now(), folder.toString(), folder.resolve("postgres").toString(),
                DrillLeftovers.postmasterPid(folder.resolve("postgres")), EmbeddedPostgresServer.url("postgres"),
                "postgres", List.of(database), false));
        assertThat(DrillFixture.processesUsing(folder)).isNotEmpty();

        List<DrillLeftovers.Leftover> found = DrillLeftovers.find(home);
        assertThat(found).singleElement().satisfies(l -> {
            assertThat(l.running()).isFalse();
            assertThat(l.describe()).contains("embedded PostgreSQL (pid", "database " + database, "which is gone");
        });
        List<String> steps = DrillLeftovers.clean(found.get(0), null);
        assertThat(steps).anyMatch(s -> s.startsWith("stopped embedded PostgreSQL"))
                .anyMatch(s -> s.startsWith("dropped database " + database))
                .anyMatch(s -> s.startsWith("deleted folder"));
        assertThat(DrillFixture.processesUsing(folder)).isEmpty();
        assertThat(databasesLike(database)).isEmpty();
        assertThat(DrillLeftovers.find(home)).isEmpty();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static List<String> databasesLike(String pattern) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = EmbeddedPostgresServer.connect("postgres"); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + pattern + "'")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }
}
