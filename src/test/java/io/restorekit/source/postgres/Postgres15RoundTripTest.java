package io.restorekit.source.postgres;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreResult;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.files.FilesFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The awkward database on PostgreSQL 15: backed up, restored into a new database, and proved
 * equal three ways: every table's rows and digest, the catalog object by object, and the output
 * of Debian's {@code pg_dump --schema-only} (a 15 client, which refuses newer servers; the test
 * is skipped, visibly, where it is not installed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Postgres15RoundTripTest {
    /**
     * Lines of pg_dump output that differ between two dumps of equal schemas: the psql
     * meta-commands "restrict KEY" and "unrestrict KEY" (after a backslash) with a random key,
     * which pg_dump 15.14 and later put around a dump.
     */
    private static final Pattern VOLATILE = Pattern.compile("^\\\\(un)?restrict \\S+$");

    EmbeddedServer server;
    Repository repository;
    DatabaseManifest manifest;
    DatabaseRestoreResult restored;

    @BeforeAll
    void setUp() throws Exception {
        server = EmbeddedPostgresServer.pg15();
        repository = FilesFixtures.newRepository();
        server.recreateDatabase("awkward15_src");
        EmbeddedPostgresServer.drop(server, "awkward15_dst");
        try (Connection c = connect("awkward15_src"); Statement st = c.createStatement();
             InputStream in = getClass().getResourceAsStream("/postgres/awkward.sql")) {
            st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        PostgresSourceSpec spec = new PostgresSourceSpec("db15", server.url("awkward15_src"), "postgres", null, null,
                "tenant_id", List.of(), List.of(), 2, null);
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE);
        BackupResult.SourceResult backup = result.sources().get(0);
        assertThat(backup.error()).isNull();
        manifest = DatabaseManifest.load(repository, repository.loadSnapshot(backup.snapshotId()).tree());
        restored = new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("db15", null, null,
                server.url("awkward15_dst"), "postgres", null, 2, false, false), ProgressListener.NONE);
    }

    @AfterAll
    void tearDown() throws IOException {
        if (repository != null) {
            repository.close();
        }
    }

    private Connection connect(String database) throws java.sql.SQLException {
        return DriverManager.getConnection(server.url(database), "postgres", "");
    }

    @Test
    @DisplayName("PostgreSQL 15: every table's rows and digest, and the catalog, equal the source's after a restore")
    void roundTrip() throws Exception {
        assertThat(manifest.server()).startsWith("15.");
        assertThat(manifest.warnings()).isEmpty();
        assertThat(restored.created()).isTrue();
        assertThat(TableCheck.compare(manifest, server.connect("awkward15_dst")))
                .hasSize(manifest.tables().size()).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        Map<String, List<String>> expected;
        Map<String, List<String>> actual;
        try (Connection a = connect("awkward15_src"); Connection b = connect("awkward15_dst")) {
            expected = CatalogFacts.of(a);
            actual = CatalogFacts.of(b);
        }
        for (String kind : expected.keySet()) {
            assertThat(actual.get(kind)).as(kind).containsExactlyElementsOf(expected.get(kind));
        }
    }

    @Test
    @DisplayName("PostgreSQL 15: pg_dump --schema-only of the source and of the restored database are identical")
    void pgDumpSchemasAreIdentical() throws Exception {
        String version = pgDumpVersion();
        Assumptions.assumeTrue(version != null, "pg_dump is not installed (Debian: apt-get install"
                + " postgresql-client); the schema comparison with pg_dump is skipped");
        Assumptions.assumeTrue(version.contains(" 15."), "pg_dump is not version 15 (" + version
                + "); it must match the embedded PostgreSQL 15 server");

        List<String> source = schemaDump("awkward15_src");
        List<String> target = schemaDump("awkward15_dst");

        assertThat(source).anyMatch(l -> l.startsWith("CREATE TABLE app.invoices"))
                .anyMatch(l -> l.startsWith("CREATE MATERIALIZED VIEW"))
                .anyMatch(l -> l.contains("EXCLUDE USING gist"))
                .anyMatch(l -> l.startsWith("CREATE TRIGGER"));
        assertThat(target).containsExactlyElementsOf(source);
    }

    @Test
    @DisplayName("PostgreSQL 15, schema: pg_dump: the schema is pg_dump's, and the restore equals the source three ways")
    void pgDumpSchemaMode() throws Exception {
        String version = pgDumpVersion();
        Assumptions.assumeTrue(version != null && version.contains(" 15."), "no pg_dump 15 is installed (Debian:"
                + " apt-get install postgresql-client); the schema: pg_dump round trip is skipped");
        EmbeddedPostgresServer.drop(server, "awkward15_pgd");
        PostgresSourceSpec spec = new PostgresSourceSpec("db15pgd", server.url("awkward15_src"), "postgres", null,
                null, "tenant_id", List.of(), List.of(), 2, "pg_dump");
        BackupResult.SourceResult backup = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE).sources().get(0);
        assertThat(backup.error()).isNull();
        DatabaseManifest dumped = DatabaseManifest.load(repository, repository.loadSnapshot(backup.snapshotId()).tree());
        assertThat(dumped.warnings()).isEmpty();
        assertThat(dumped.schemaFingerprint()).isEqualTo(manifest.schemaFingerprint());
        // pg_dump's own layout, not the built-in reader's; the state entries still come from the catalog
        assertThat(dumped.schema()).isNotEqualTo(manifest.schema())
                .anyMatch(d -> d.phase() == DatabaseManifest.Phase.TABLES && d.sql().startsWith("CREATE TABLE app.invoices (\n"))
                .anyMatch(d -> d.phase() == DatabaseManifest.Phase.SEQUENCE_VALUES);

        new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("db15pgd", null, null,
                server.url("awkward15_pgd"), "postgres", null, 2, false, false), ProgressListener.NONE);
        assertThat(TableCheck.compare(dumped, server.connect("awkward15_pgd")))
                .hasSize(dumped.tables().size()).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        try (Connection a = connect("awkward15_src"); Connection b = connect("awkward15_pgd")) {
            Map<String, List<String>> expected = CatalogFacts.of(a);
            Map<String, List<String>> actual = CatalogFacts.of(b);
            for (String kind : expected.keySet()) {
                assertThat(actual.get(kind)).as(kind).containsExactlyElementsOf(expected.get(kind));
            }
        }
        assertThat(schemaDump("awkward15_pgd")).containsExactlyElementsOf(schemaDump("awkward15_src"));

        // replaced with --yes: pg_dump's CREATE SCHEMA statements meet the schemas that stay
        try (Connection c = connect("awkward15_pgd"); Statement st = c.createStatement()) {
            st.execute("DELETE FROM app.invoices WHERE id % 2 = 0");
            st.execute("CREATE TABLE app.local_notes (id int)");
        }
        DatabaseRestoreResult replaced = new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest(
                "db15pgd", null, null, server.url("awkward15_pgd"), "postgres", null, 2, false, true),
                ProgressListener.NONE);
        assertThat(replaced.phases()).extracting(DatabaseRestoreResult.Phase::name)
                .contains("set the existing objects aside", "drop the replaced objects");
        assertThat(TableCheck.compare(dumped, server.connect("awkward15_pgd")))
                .hasSize(dumped.tables().size()).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        assertThat(schemaDump("awkward15_pgd")).containsExactlyElementsOf(schemaDump("awkward15_src"));
    }

    @Test
    @DisplayName("PostgreSQL 15, schema: auto: an object the built-in reader cannot recreate is taken by pg_dump and restored")
    void autoModeTakesPgDumpForWhatTheCatalogReaderCannot() throws Exception {
        String version = pgDumpVersion();
        Assumptions.assumeTrue(version != null && version.contains(" 15."), "no pg_dump 15 is installed (Debian:"
                + " apt-get install postgresql-client); the schema: auto round trip is skipped");
        server.recreateDatabase("aggregate15_src");
        EmbeddedPostgresServer.drop(server, "aggregate15_dst");
        try (Connection c = connect("aggregate15_src"); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE FUNCTION longest(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE
                        AS $$ SELECT CASE WHEN length(b) > length(coalesce(a, '')) THEN b ELSE a END $$;
                    CREATE AGGREGATE longest_of(text) (SFUNC = longest, STYPE = text);
                    CREATE TABLE notes (id int PRIMARY KEY, body text);
                    INSERT INTO notes VALUES (1, 'a'), (2, 'three'), (3, 'four'), (4, NULL);
                    CREATE VIEW longest_note AS SELECT longest_of(body) AS body FROM notes;
                    """);
        }
        PostgresSourceSpec builtin = new PostgresSourceSpec("agg-builtin", server.url("aggregate15_src"), "postgres",
                null, null, "tenant_id", List.of(), List.of(), 2, "builtin");
        PostgresSourceSpec auto = new PostgresSourceSpec("agg-auto", server.url("aggregate15_src"), "postgres",
                null, null, "tenant_id", List.of(), List.of(), 2, "auto");
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(builtin, auto)),
                ProgressListener.NONE);
        assertThat(result.sources().get(0).warnings()).anyMatch(w -> w.toString().contains("aggregate"));
        assertThat(result.sources().get(1).error()).isNull();
        assertThat(result.sources().get(1).warnings()).isEmpty();

        new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("agg-auto", null, null,
                server.url("aggregate15_dst"), "postgres", null, 2, false, false), ProgressListener.NONE);
        try (Connection c = connect("aggregate15_dst"); Statement st = c.createStatement();
             java.sql.ResultSet r = st.executeQuery("SELECT body FROM longest_note")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("three");
        }
        assertThat(schemaDump("aggregate15_dst")).containsExactlyElementsOf(schemaDump("aggregate15_src"));
    }

    private List<String> schemaDump(String database) throws IOException, InterruptedException {
        Path out = Files.createTempFile("pg_dump-" + database, ".sql");
        try {
            Process p = new ProcessBuilder("pg_dump", "--schema-only", "-h", "localhost", "-p",
                    String.valueOf(server.port()), "-U", "postgres", "-d", database, "-f", out.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("pg_dump of " + database + ": " + log).isZero();
            List<String> lines = Files.readAllLines(out);
            List<String> kept = lines.stream().filter(l -> !VOLATILE.matcher(l).matches()).toList();
            assertThat(lines.size() - kept.size()).as("lines filtered from the dump of " + database).isLessThanOrEqualTo(2);
            return kept;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String pgDumpVersion() {
        try {
            Process p = new ProcessBuilder("pg_dump", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
