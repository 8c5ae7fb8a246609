package io.restorekit.source.mysql;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.drill.DrillLeftovers;
import io.restorekit.drill.DrillReport;
import io.restorekit.drill.DrillRequest;
import io.restorekit.drill.DrillService;
import io.restorekit.repository.Repository;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlDrillAndErrorsTest {
    Repository repository;
    MySqlSourceSpec spec;
    @TempDir
    Path tmp;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        String url = EmbeddedMariaDbServer.freshDatabase("dr_src");
        AwkwardMySql.create("dr_src", 10);
        spec = MySqlSourceSpec.of("shop", url, EmbeddedMariaDbServer.USER, EmbeddedMariaDbServer.PASSWORD);
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    private DrillReport drill(List<DrillRequest.SqlCheck> checks) {
        return drill(checks, false, tmp.resolve("home"));
    }

    private DrillReport drill(List<DrillRequest.SqlCheck> checks, boolean keep, Path home) {
        DrillRequest request = new DrillRequest(List.<SourceSpec>of(spec), null, null,
                EmbeddedMariaDbServer.url("mysql"), "root", null, keep, null, checks, 0, 0, null);
        return new DrillService(repository, new InMemoryCatalog(), home, Clock.systemUTC())
                .run(request, ProgressListener.NONE);
    }

    @Test
    @DisplayName("the drill's database is in its marker from before it exists: kept or left by a killed drill, doctor's cleanup drops it")
    void leftoverDatabaseIsFoundAndDropped() throws Exception {
        Path home = tmp.resolve("home-keep");
        DrillReport report = drill(List.of(), true, home);
        assertThat(report.status()).as(report.toJson()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(report.keptAt()).contains("databases " + report.drill() + " on jdbc:mariadb://");
        assertThat(EmbeddedMariaDbServer.databases(report.drill().replace("_", "\\_"))).isEqualTo(1);

        List<DrillLeftovers.Leftover> left = DrillLeftovers.find(home);
        assertThat(left).singleElement().satisfies(l -> assertThat(l.describe())
                .contains("database " + report.drill() + " on jdbc:mariadb://", "(kept with --keep)"));
        List<String> steps = DrillLeftovers.clean(left.get(0), null);
        assertThat(steps).contains("dropped database " + report.drill() + " on " + EmbeddedMariaDbServer.url("mysql"));
        assertThat(EmbeddedMariaDbServer.databases(report.drill().replace("_", "\\_"))).isZero();
        assertThat(DrillLeftovers.find(home)).isEmpty();
    }

    @Test
    @DisplayName("a drill restores into a temporary database on drill.target, passes its checks and drops the database")
    void drillPassesAndCleansUp() throws Exception {
        DrillReport report = drill(List.of(new DrillRequest.SqlCheck("five companies",
                "select count(*) from companies", "= 5")));
        assertThat(report.failures()).as(report.toJson()).isEmpty();
        assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(report.checks()).extracting(DrillReport.Check::name).contains("table dr_src.invoices",
                "tables read back from the server", "schema fingerprint", "check: five companies");
        assertThat(report.cleanup()).anySatisfy(c -> assertThat(c).startsWith("dropped database rk_drill_"));
        assertThat(EmbeddedMariaDbServer.databases("rk\\_drill\\_")).isZero();
    }

    @Test
    @DisplayName("a failing check fails the drill, which still cleans up")
    void failingCheck() throws Exception {
        DrillReport report = drill(List.of(new DrillRequest.SqlCheck("no companies",
                "select count(*) from companies", "= 0")));
        assertThat(report.status()).isEqualTo(RunStatus.FAILED);
        assertThat(report.failures()).extracting(DrillReport.Check::name).containsExactly("check: no companies");
        assertThat(EmbeddedMariaDbServer.databases("rk\\_drill\\_")).isZero();
    }

    @Test
    @DisplayName("a wrong password is refused with a message naming the user and the variable")
    void wrongPassword() {
        MySqlSourceSpec bad = new MySqlSourceSpec("shop", spec.url(), EmbeddedMariaDbServer.USER, "SHOP_PW", "nope",
                null, List.of(), List.of(), 1, null);
        BackupResult.SourceResult r = new BackupService(repository).backup(BackupRequest.of(List.of(bad)),
                ProgressListener.NONE).sources().get(0);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.FAILED);
        assertThat(r.error()).contains("refused user 'rk'").contains("$SHOP_PW");
    }

    @Test
    @DisplayName("an unreachable server is exit 6 with the URL in the message")
    void unreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MySqlSourceSpec gone = MySqlSourceSpec.of("shop", "jdbc:mariadb://127.0.0.1:" + port + "/dr_src", "rk", "x");
        BackupResult.SourceResult r = new BackupService(repository).backup(BackupRequest.of(List.of(gone)),
                ProgressListener.NONE).sources().get(0);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.UNREACHABLE);
        assertThat(ErrorCode.UNREACHABLE.exitCode()).isEqualTo(6);
        assertThat(r.error()).contains("127.0.0.1:" + port).contains("reachable");
    }

    @Test
    @DisplayName("a missing database is named in the message")
    void missingDatabase() {
        MySqlSourceSpec none = MySqlSourceSpec.of("shop", EmbeddedMariaDbServer.url("no_such_db"), "root", null);
        BackupResult.SourceResult r = new BackupService(repository).backup(BackupRequest.of(List.of(none)),
                ProgressListener.NONE).sources().get(0);
        assertThat(r.error()).contains("'no_such_db' does not exist");
    }

    @Test
    @DisplayName("a server whose local_infile is off refuses a restore with --yes, its dry run and a module restore before anything changes")
    void localInfileOff() throws Exception {
        try (EmbeddedMariaDbServer.Instance off = EmbeddedMariaDbServer.separate("noinfile", "--local-infile=0")) {
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + off.port() + "/",
                    "root", ""); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE keep_me");
                st.execute("CREATE TABLE keep_me.invoices (id INT PRIMARY KEY, note TEXT)");
                st.execute("INSERT INTO keep_me.invoices VALUES (1, 'still here')");
            }
            String url = "jdbc:mariadb://127.0.0.1:" + off.port() + "/keep_me";
            for (boolean dryRun : new boolean[]{true, false}) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> new io.restorekit.restore.DatabaseRestoreService(
                        repository).restore(new io.restorekit.restore.DatabaseRestoreRequest("shop", null, null, url,
                        "root", null, 1, dryRun, true), ProgressListener.NONE))
                        .as("dry run " + dryRun).hasMessageContaining("local_infile is OFF")
                        .hasMessageContaining("nothing was changed").hasMessageContaining("SET GLOBAL local_infile = 1");
            }
            MySqlConnect target = new MySqlConnect(url, "root", null, null);
            io.restorekit.source.postgres.DatabaseManifest manifest = io.restorekit.source.postgres.DatabaseManifest
                    .load(repository, repository.snapshots().get(0).tree());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MySqlScopedRestore(repository).restoreInto(
                    manifest, new io.restorekit.source.postgres.ScopedRestore.Scope(null, "billing",
                            List.of("invoices")), target, true, false, ProgressListener.NONE))
                    .hasMessageContaining("local_infile is OFF");
            try (Connection c = java.sql.DriverManager.getConnection(url, "root", "");
                 Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT note FROM invoices")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString(1)).isEqualTo("still here");
            }
        }
    }
}
