package io.restorekit.source.postgres;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.DatabaseBrowser;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreResult;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresRoundTripTest {
    Repository repository;
    String sourceUrl;
    BackupResult.SourceResult backup;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        sourceUrl = EmbeddedPostgresServer.freshDatabase("awkward_src");
        try (Connection c = EmbeddedPostgresServer.connect("awkward_src"); Statement st = c.createStatement();
             InputStream in = getClass().getResourceAsStream("/postgres/awkward.sql")) {
            st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        try (Connection c = EmbeddedPostgresServer.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS awkward_dst WITH (FORCE)");
        }
        PostgresSourceSpec spec = new PostgresSourceSpec("db", sourceUrl, "postgres", null, null, "tenant_id",
                List.of(), List.of(), 2, null);
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
        backup = result.sources().get(0);
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    private DatabaseManifest manifest() throws IOException {
        return DatabaseManifest.load(repository, repository.loadSnapshot(backup.snapshotId()).tree());
    }

    @Test
    @Order(1)
    @DisplayName("the snapshot records every table with rows, tenant counts and digest, and no warnings")
    void manifestContents() throws IOException {
        Snapshot s = repository.loadSnapshot(backup.snapshotId());
        assertThat(s.kind()).isEqualTo("postgres");
        assertThat(s.warnings()).isEmpty();
        DatabaseManifest m = manifest();
        Map<String, DatabaseManifest.Table> tables = new java.util.HashMap<>();
        m.tables().forEach(t -> tables.put(t.qualifiedName(), t));
        assertThat(tables.keySet()).contains("app.companies", "app.invoices", "app.events_2025",
                "app.events_2026_t1", "app.events_2026_rest", "app.events_other", "app.docs", "app.cache",
                "Mixed Case.Order").doesNotContain("app.events", "app.events_2026");
        assertThat(tables.get("app.invoices").rows()).isEqualTo(3000);
        assertThat(tables.get("app.invoices").columns()).doesNotContain("net");
        assertThat(tables.get("app.companies").tenantRows()).hasSize(5)
                .containsEntry("0", 12L);
        assertThat(tables.get("Mixed Case.Order").tenantRows()).isNull();
        assertThat(m.tables().get(0).bytes()).isGreaterThanOrEqualTo(m.tables().get(1).bytes());

        DatabaseBrowser.Listing ls = new DatabaseBrowser(repository).tables(backup.snapshotId());
        assertThat(ls.tables()).extracting(DatabaseBrowser.TableEntry::name).contains("invoices", "Order");
        assertThat(ls.schemaFingerprint()).hasSize(64);
    }

    @Test
    @Order(2)
    @DisplayName("restore into a new database: the catalog is identical and every table's rows and digest equal the source's")
    void restoreIsIdentical() throws Exception {
        String target = EmbeddedPostgresServer.url("awkward_dst");
        DatabaseRestoreResult r = new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("db",
                null, null, target, "postgres", null, 2, false, false), ProgressListener.NONE);
        assertThat(r.created()).isTrue();
        assertThat(r.phases()).extracting(DatabaseRestoreResult.Phase::name).contains("data", "indexes", "views");

        Map<String, List<String>> expected;
        Map<String, List<String>> actual;
        try (Connection a = EmbeddedPostgresServer.connect("awkward_src");
             Connection b = EmbeddedPostgresServer.connect("awkward_dst")) {
            expected = CatalogFacts.of(a);
            actual = CatalogFacts.of(b);
        }
        for (String kind : expected.keySet()) {
            assertThat(actual.get(kind)).as(kind).containsExactlyElementsOf(expected.get(kind));
        }
        DatabaseManifest m = manifest();
        List<TableCheck> restored = TableCheck.compare(m, new PgConnect(target, "postgres", null, null));
        assertThat(restored).hasSize(m.tables().size()).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        List<TableCheck> source = TableCheck.compare(m, new PgConnect(sourceUrl, "postgres", null, null));
        assertThat(source).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());

        // The restored schema reads back to the same DDL, fingerprint included.
        try (Connection b = new PgConnect(target, "postgres", null, null).open()) {
            SchemaReader.Result again = new SchemaReader(b).read();
            assertThat(again.ddl()).containsExactlyElementsOf(m.schema());
            assertThat(again.fingerprint()).isEqualTo(m.schemaFingerprint());
        }
        try (Connection b = EmbeddedPostgresServer.connect("awkward_dst"); Statement st = b.createStatement();
             ResultSet rs = st.executeQuery("SELECT n FROM app.open_count")) {
            rs.next();
            assertThat(rs.getLong(1)).isPositive();
        }
    }

    @Test
    @Order(3)
    @DisplayName("a target that holds tables is refused, and replaced with --yes; a replace that fails puts the schemas back as they were")
    void nonEmptyTarget() throws Exception {
        String target = EmbeddedPostgresServer.url("awkward_dst");
        DatabaseRestoreService service = new DatabaseRestoreService(repository);
        assertThatThrownBy(() -> service.restore(new DatabaseRestoreRequest("db", null, null, target, "postgres",
                null, 2, false, false), ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("already holds").hasMessageContaining("--yes");
        // the database as it is now: a table and a row of its own, a changed row, a view elsewhere on a
        // replaced table, a schema comment
        try (Connection c = EmbeddedPostgresServer.connect("awkward_dst"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE app.local_notes (id int PRIMARY KEY, company_id bigint REFERENCES app.companies,"
                    + " note text)");
            st.execute("INSERT INTO app.local_notes SELECT 1, min(id), 'written after the backup' FROM app.companies");
            st.execute("UPDATE app.companies SET name = 'renamed here' WHERE id = (SELECT min(id) FROM app.companies)");
            st.execute("CREATE SCHEMA reports");
            st.execute("CREATE VIEW reports.names AS SELECT c.name, n.note FROM app.companies c"
                    + " JOIN app.local_notes n ON n.company_id = c.id");
            st.execute("COMMENT ON SCHEMA app IS 'changed here'");
        }
        Map<String, List<String>> before = facts("awkward_dst");
        List<String> rowsBefore = rows("SELECT * FROM reports.names");

        // a replace that fails while loading (a table's stored rows do not match its manifest entry)
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> tables = new java.util.ArrayList<>(m.tables());
        tables.set(0, ManifestEdits.withRows(tables.get(0), tables.get(0).rows() + 1));
        PgConnect dst = new PgConnect(target, "postgres", null, null);
        assertThatThrownBy(() -> new PostgresRestore(repository).restore(ManifestEdits.withTables(m, tables), dst,
                new PostgresRestore.Options(2, true), ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("do not match the snapshot's manifest")
                .hasMessageContaining("the schemas of database 'awkward_dst' were put back as they were");
        Map<String, List<String>> after = facts("awkward_dst");
        for (String kind : before.keySet()) {
            assertThat(after.get(kind)).as(kind).containsExactlyInAnyOrderElementsOf(before.get(kind));
        }
        assertThat(rows("SELECT * FROM reports.names")).isEqualTo(rowsBefore).hasSize(1)
                .allMatch(row -> row.contains("renamed here") && row.contains("written after the backup"));
        assertThat(before.get("schemas")).noneMatch(s -> s.contains("rk_replaced_"));

        // a replace while another session uses a table to replace: it waits for the lock, then changes nothing
        int timeout = ReplacedSchemas.lockTimeoutMs;
        ReplacedSchemas.lockTimeoutMs = 500;
        try (Connection other = EmbeddedPostgresServer.connect("awkward_dst"); Statement st = other.createStatement()) {
            other.setAutoCommit(false);
            st.execute("LOCK TABLE app.local_notes IN ACCESS SHARE MODE");
            assertThatThrownBy(() -> service.restore(new DatabaseRestoreRequest("db", null, null, target, "postgres",
                    null, 2, false, true), ProgressListener.NONE))
                    .isInstanceOf(RkException.class).hasMessageContaining("stayed locked by other sessions")
                    .hasMessageContaining("local_notes").hasMessageContaining("nothing was changed");
            other.rollback();
        } finally {
            ReplacedSchemas.lockTimeoutMs = timeout;
        }
        Map<String, List<String>> afterLocked = facts("awkward_dst");
        for (String kind : before.keySet()) {
            assertThat(afterLocked.get(kind)).as(kind).containsExactlyInAnyOrderElementsOf(before.get(kind));
        }

        // the real replace: the snapshot's schemas as in the source; the plan and the result name the view
        // elsewhere on a replaced table, dropped with it
        // foreign keys elsewhere referencing replaced tables: one the restored rows satisfy, one they
        // do not (its company was made here), one whose table the snapshot does not have
        try (Connection c = EmbeddedPostgresServer.connect("awkward_dst"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE app.local_log (at date) PARTITION BY RANGE (at)");
            st.execute("CREATE TABLE reports.local_log_2026 PARTITION OF app.local_log"
                    + " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
            st.execute("CREATE TABLE reports.audit (id int PRIMARY KEY, company_id bigint CONSTRAINT audit_company"
                    + " REFERENCES app.companies ON DELETE CASCADE DEFERRABLE)");
            st.execute("INSERT INTO reports.audit SELECT 1, min(id) FROM app.companies");
            st.execute("INSERT INTO app.companies (tenant_id, name) SELECT tenant_id, 'made here' FROM app.companies"
                    + " ORDER BY id LIMIT 1");
            st.execute("CREATE TABLE reports.audit_new (id int PRIMARY KEY, company_id bigint CONSTRAINT"
                    + " audit_new_company REFERENCES app.companies)");
            st.execute("INSERT INTO reports.audit_new SELECT 1, id FROM app.companies WHERE name = 'made here'");
            st.execute("CREATE TABLE reports.note_refs (note_id int CONSTRAINT note_refs_note REFERENCES"
                    + " app.local_notes)");
        }
        String keys = "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                + " WHERE conname IN ('audit_company', 'audit_new_company', 'note_refs_note') ORDER BY conname";
        List<String> keysBefore = rows(keys);
        assertThat(keysBefore).hasSize(3);
        DatabaseRestoreResult plan = service.restore(new DatabaseRestoreRequest("db", null, null, target, "postgres",
                null, 2, true, true), ProgressListener.NONE);
        assertThat(plan.droppedWith()).containsExactly("table reports.local_log_2026", "view reports.names",
                "constraint note_refs_note on table reports.note_refs (the restored schemas have no table"
                + " app.local_notes for it to reference)");
        assertThat(plan.referencesKept()).containsExactly("constraint audit_company on table reports.audit",
                "constraint audit_new_company on table reports.audit_new");
        DatabaseRestoreResult r = service.restore(new DatabaseRestoreRequest("db", null, null, target, "postgres",
                null, 2, false, true), ProgressListener.NONE);
        assertThat(r.droppedWith()).containsExactlyElementsOf(plan.droppedWith());
        assertThat(r.referencesKept()).containsExactly("constraint audit_company on table reports.audit",
                "constraint audit_new_company on table reports.audit_new (NOT VALID: rows there reference rows the"
                + " restored table does not hold; VALIDATE CONSTRAINT once they are mended)");
        // the keys are there as they were (the one the restored rows do not satisfy NOT VALID), and in force
        assertThat(rows(keys)).containsExactly(keysBefore.get(0), keysBefore.get(1) + " NOT VALID");
        try (Connection c = EmbeddedPostgresServer.connect("awkward_dst"); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("INSERT INTO reports.audit VALUES (2, -1)"))
                    .hasMessageContaining("audit_company");
            st.execute("DROP SCHEMA reports CASCADE");
        }
        assertThat(r.created()).isFalse();
        assertThat(r.phases()).extracting(DatabaseRestoreResult.Phase::name)
                .contains("set the existing objects aside", "drop the replaced objects");
        List<TableCheck> checks = TableCheck.compare(DatabaseManifestHolder.of(repository, backup.snapshotId()), dst);
        assertThat(checks).allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
        Map<String, List<String>> expected = facts("awkward_src");
        Map<String, List<String>> actual = facts("awkward_dst");
        for (String kind : expected.keySet()) {
            assertThat(actual.get(kind)).as(kind).containsExactlyElementsOf(expected.get(kind));
        }
    }

    @Test
    @Order(7)
    @DisplayName("a restore into an existing database without tables that fails drops what it created there")
    void failedRestoreIntoEmptyDatabase() throws Exception {
        String name = "awkward_empty";
        EmbeddedPostgresServer.freshDatabase(name);
        try (Connection c = EmbeddedPostgresServer.connect(name); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA app");
            st.execute("CREATE FUNCTION app.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'");
            st.execute("COMMENT ON SCHEMA app IS 'made by hand'");
        }
        Map<String, List<String>> before = facts(name);
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> tables = new java.util.ArrayList<>(m.tables());
        tables.set(0, ManifestEdits.withRows(tables.get(0), tables.get(0).rows() + 1));
        assertThatThrownBy(() -> new PostgresRestore(repository).restore(ManifestEdits.withTables(m, tables),
                new PgConnect(EmbeddedPostgresServer.url(name), "postgres", null, null),
                new PostgresRestore.Options(2, false), ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("do not match the snapshot's manifest")
                .hasMessageContaining("what it had created in database 'awkward_empty' was dropped");
        Map<String, List<String>> after = facts(name);
        for (String kind : before.keySet()) {
            assertThat(after.get(kind)).as(kind).containsExactlyInAnyOrderElementsOf(before.get(kind));
        }
        assertThat(before.get("functions")).anyMatch(f -> f.contains("mine"));
    }

    @Test
    @Order(8)
    @DisplayName("a backup while a restore writes the database is refused; a restore waits for a running backup, then gives up changing nothing")
    void backupsAndRestoresKeepApart() throws Exception {
        PostgresSourceSpec spec = new PostgresSourceSpec("db", sourceUrl, "postgres", null, null, "tenant_id",
                List.of(), List.of(), 2, null);
        try (Connection restoring = EmbeddedPostgresServer.connect("awkward_src");
             Statement st = restoring.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + RestoreGuard.KEY + ")");
            BackupResult refused = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                    ProgressListener.NONE);
            assertThat(refused.sources().get(0).error()).contains("a restore into database 'awkward_src' is running")
                    .contains("nothing was stored");
        }
        assertThat(new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE)
                .sources().get(0).error()).isNull();

        String target = EmbeddedPostgresServer.url("awkward_dst");
        Map<String, List<String>> before = facts("awkward_dst");
        int wait = RestoreGuard.waitMs;
        RestoreGuard.waitMs = 500;
        try (Connection backingUp = EmbeddedPostgresServer.connect("awkward_dst");
             Statement st = backingUp.createStatement()) {
            backingUp.setAutoCommit(false);
            st.execute("SELECT pg_advisory_xact_lock_shared(" + RestoreGuard.KEY + ")");
            assertThatThrownBy(() -> new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("db",
                    backup.snapshotId(), null, target, "postgres", null, 2, false, true), ProgressListener.NONE))
                    .isInstanceOf(RkException.class).hasMessageContaining("a backup of database 'awkward_dst'")
                    .hasMessageContaining("nothing was changed");
            backingUp.rollback();
        } finally {
            RestoreGuard.waitMs = wait;
        }
        assertThat(facts("awkward_dst")).isEqualTo(before);
    }

    private static Map<String, List<String>> facts(String database) throws Exception {
        try (Connection c = EmbeddedPostgresServer.connect(database)) {
            return CatalogFacts.of(c);
        }
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = EmbeddedPostgresServer.connect("awkward_dst"); Statement st = c.createStatement();
             ResultSet r = st.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1) + " | " + r.getString(2));
            }
        }
        return out;
    }

    @Test
    @Order(4)
    @DisplayName("verify --read-data recomputes every table digest from the stored streams")
    void verifyReadData() {
        VerifyReport report = new VerifyService(repository).verify(new VerifyRequest(backup.snapshotId(), true),
                ProgressListener.NONE);
        assertThat(report.problems()).isEmpty();
        assertThat(report.bytesRead()).isPositive();
        VerifyReport whole = new VerifyService(repository).verify(new VerifyRequest(null, true), ProgressListener.NONE);
        assertThat(whole.problems()).isEmpty();
    }

    @Test
    @Order(5)
    @DisplayName("a manifest with the SHA-256 digests of snapshots made before MurmurHash3 is checked with those; a wrong one fails")
    void olderDigests() throws Exception {
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> older = ManifestEdits.withSha256Digests(repository, m, t -> false);
        List<DatabaseManifest.Table> wrong = ManifestEdits.withSha256Digests(repository, m, t -> true);
        assertThat(m.tables()).allSatisfy(t -> assertThat(t.digest()).startsWith(RowScanner.DIGEST_PREFIX));
        assertThat(older).allSatisfy(t -> assertThat(t.digest()).hasSize(64).doesNotStartWith(RowScanner.DIGEST_PREFIX));
        PgConnect source = new PgConnect(sourceUrl, "postgres", null, null);
        assertThat(TableCheck.compare(ManifestEdits.withTables(m, older), source)).hasSize(m.tables().size())
                .allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        assertThat(TableCheck.compare(ManifestEdits.withTables(m, wrong), source)).hasSize(m.tables().size())
                .allSatisfy(t -> assertThat(t.equal()).as(t.table()).isFalse());
    }

    @Test
    @Order(6)
    @DisplayName("verify --read-data checks a snapshot written with SHA-256 digests with those, and reports a wrong one")
    void verifyOlderSnapshot() throws Exception {
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> older = ManifestEdits.withSha256Digests(repository, m, t -> false);
        List<DatabaseManifest.Table> wrong = ManifestEdits.withSha256Digests(repository, m,
                t -> t.name().equals("invoices"));
        assertThat(wrong).extracting(DatabaseManifest.Table::name).contains("invoices");
        String olderId = saveSnapshotWith(ManifestEdits.withTables(m, older), 1);
        String wrongId = saveSnapshotWith(ManifestEdits.withTables(m, wrong), 2);

        VerifyReport ok = new VerifyService(repository).verify(new VerifyRequest(olderId, true), ProgressListener.NONE);
        assertThat(ok.problems()).isEmpty();
        VerifyReport bad = new VerifyService(repository).verify(new VerifyRequest(wrongId, true), ProgressListener.NONE);
        assertThat(bad.problems()).hasSize(1);
        assertThat(bad.problems().get(0).object()).contains("invoices");
        assertThat(bad.problems().get(0).message()).contains("digest");
    }

    /** A copy of the backup's snapshot naming {@code m} as its manifest, {@code seconds} later. */
    private String saveSnapshotWith(DatabaseManifest m, int seconds) throws IOException {
        byte[] json = Repository.objectMapper().writeValueAsBytes(m);
        io.restorekit.repository.BlobId tree = repository.saveBlob(io.restorekit.repository.BlobType.TREE, json, 0,
                json.length).id();
        Snapshot s = repository.loadSnapshot(backup.snapshotId());
        return repository.saveSnapshot(new Snapshot(null, s.version(), s.source(), s.kind(), s.time().plusSeconds(seconds),
                s.host(), s.user(), s.run(), s.tags(), s.parent(), s.root(), tree, s.summary(), s.warnings())).id();
    }

    /** Loads a manifest by snapshot id. */
    static final class DatabaseManifestHolder {
        static DatabaseManifest of(Repository repository, String snapshotId) {
            try {
                return DatabaseManifest.load(repository, repository.loadSnapshot(snapshotId).tree());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
