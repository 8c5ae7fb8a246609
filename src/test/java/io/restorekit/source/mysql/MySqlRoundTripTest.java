package io.restorekit.source.mysql;

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
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.ManifestEdits;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.TableCheck;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MySqlRoundTripTest {
    Repository repository;
    BackupResult.SourceResult backup;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        String url = EmbeddedMariaDbServer.freshDatabase("rt_src");
        EmbeddedMariaDbServer.drop("rt_dst");
        EmbeddedMariaDbServer.drop("rt_jobs");
        AwkwardMySql.create("rt_src", 40);
        MySqlSourceSpec spec = MySqlSourceSpec.of("shop", url, EmbeddedMariaDbServer.USER,
                EmbeddedMariaDbServer.PASSWORD);
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
    @DisplayName("the snapshot records every table with rows, tenant counts, tenant chunks and digest; generated columns are not dumped")
    void manifestContents() throws Exception {
        Snapshot s = repository.loadSnapshot(backup.snapshotId());
        assertThat(s.kind()).isEqualTo("mysql");
        assertThat(s.warnings()).isEmpty();
        DatabaseManifest m = manifest();
        Map<String, DatabaseManifest.Table> tables = new HashMap<>();
        m.tables().forEach(t -> tables.put(t.name(), t));
        assertThat(tables.keySet()).containsExactlyInAnyOrder("companies", "invoices", "invoice_items", "documents",
                "audit_log", "select");
        assertThat(tables.get("invoices").rows()).isEqualTo(200);
        assertThat(tables.get("invoices").columns()).doesNotContain("tax");
        assertThat(tables.get("invoice_items").columns()).doesNotContain("total");
        assertThat(tables.get("invoices").tenantRows()).hasSize(5).containsEntry("3", 40L);
        assertThat(tables.get("invoice_items").tenantVia()).containsExactly("fk_item_invoice");
        assertThat(tables.get("invoice_items").tenantChunks()).containsOnlyKeys("1", "2", "3", "4", "5");
        assertThat(tables.get("audit_log").primaryKey()).isNull();
        assertThat(m.schema()).extracting(DatabaseManifest.Ddl::object).contains("view rt_src.invoice_totals",
                "function rt_src.net", "procedure rt_src.count_invoices", "trigger rt_src.inv_audit",
                "event rt_src.purge_audit");
        try (Connection c = EmbeddedMariaDbServer.root("rt_src"); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COUNT(*) FROM invoice_items")) {
            r.next();
            assertThat(tables.get("invoice_items").rows()).isEqualTo(r.getLong(1));
        }
        DatabaseBrowser.Listing ls = new DatabaseBrowser(repository).tables(backup.snapshotId());
        assertThat(ls.tables()).extracting(DatabaseBrowser.TableEntry::name).contains("invoices", "select");
    }

    @Test
    @Order(2)
    @DisplayName("restore into a new database: SHOW CREATE of every object is identical and every table's rows and digest equal the source's")
    void restoreIsIdentical() throws Exception {
        String target = EmbeddedMariaDbServer.url("rt_dst");
        DatabaseRestoreResult r = new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("shop",
                null, null, target, "root", null, 2, false, false), ProgressListener.NONE);
        assertThat(r.created()).isTrue();
        assertThat(r.phases()).extracting(DatabaseRestoreResult.Phase::name)
                .containsExactly("sequences", "tables", "data", "sequence values", "routines", "views", "triggers",
                        "events");

        Map<String, String> expected = AwkwardMySql.showCreate("rt_src");
        Map<String, String> actual = AwkwardMySql.showCreate("rt_dst");
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String object : expected.keySet()) {
            assertThat(actual.get(object)).as(object).isEqualTo(expected.get(object));
        }
        List<TableCheck> checks = MySqlTableCheck.compare(manifest(), new MySqlConnect(target, "root", null, null));
        assertThat(checks).hasSize(6).allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
        // The source itself, read again, gives the manifest's digests: the encoding is stable.
        List<TableCheck> source = MySqlTableCheck.compare(manifest(), new MySqlConnect(
                EmbeddedMariaDbServer.url("rt_src"), "root", null, null));
        assertThat(source).allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
        try (Connection c = EmbeddedMariaDbServer.root("rt_dst"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SUM(tax), SUM(amount), MAX(LENGTH(note)) FROM invoices")) {
            rs.next();
            assertThat(rs.getBigDecimal(1)).isNotNull();
        }
        assertSequenceGoesOn("rt_src", "rt_dst");
    }

    /**
     * The restored sequence goes on past every value the source drew (from where the source's
     * cache ended, as after a server restart), and a new row of the restored database draws from
     * it, not from the source database's sequence.
     */
    static void assertSequenceGoesOn(String source, String database) throws Exception {
        long drawn;
        try (Connection c = EmbeddedMariaDbServer.root(source); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(ref), COUNT(*) FROM documents")) {
            rs.next();
            drawn = rs.getLong(1);
            assertThat(rs.getLong(2)).isEqualTo(60);
        }
        long sourceNext;
        try (Connection c = EmbeddedMariaDbServer.root(source); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT next_not_cached_value FROM doc_refs")) {
            rs.next();
            sourceNext = rs.getLong(1);
        }
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement()) {
            st.execute("INSERT INTO documents (tenant_id) VALUES (1)");
            try (ResultSet rs = st.executeQuery("SELECT MAX(ref) FROM documents")) {
                rs.next();
                assertThat(rs.getLong(1)).isGreaterThan(drawn).isGreaterThanOrEqualTo(sourceNext);
            }
            st.execute("DELETE FROM documents WHERE id = (SELECT MAX(id) FROM (SELECT id FROM documents) d)");
        }
    }

    @Test
    @Order(3)
    @DisplayName("a database that already holds tables is refused without --yes, and replaced with it")
    void refusesNonEmptyTarget() throws Exception {
        String target = EmbeddedMariaDbServer.url("rt_dst");
        DatabaseRestoreService service = new DatabaseRestoreService(repository);
        assertThatThrownBy(() -> service.restore(new DatabaseRestoreRequest("shop", null, null, target, "root", null,
                1, false, false), ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("already holds 9 tables")
                .hasMessageContaining("--yes");
        // the database as it is now, with a table and a row of its own
        try (Connection c = EmbeddedMariaDbServer.root("rt_dst"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE local_notes (id INT PRIMARY KEY, note TEXT)");
            st.execute("INSERT INTO local_notes VALUES (1, 'written after the backup')");
            st.execute("UPDATE companies SET name = 'renamed here' WHERE id = 1");
        }
        // a table of another database referencing one of it: its key would follow the table aside
        EmbeddedMariaDbServer.freshDatabase("rt_other");
        try (Connection c = EmbeddedMariaDbServer.root("rt_other"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE contracts (id INT PRIMARY KEY, company_id INT, CONSTRAINT contracts_company"
                    + " FOREIGN KEY (company_id) REFERENCES rt_dst.companies (id) ON UPDATE CASCADE)");
            st.execute("INSERT INTO contracts VALUES (1, 1)");
            // a company made after the backup, and a contract of it: the restore does not bring it back
            st.execute("INSERT INTO rt_dst.companies (id, name) VALUES (9001, 'made here')");
            st.execute("INSERT INTO contracts VALUES (2, 9001)");
        }
        Map<String, String> other = AwkwardMySql.showCreate("rt_other");
        assertThat(other.get("TABLE contracts")).contains("REFERENCES `rt_dst`.`companies` (`id`) ON UPDATE CASCADE");
        Map<String, String> before = AwkwardMySql.showCreate("rt_dst");
        List<String> rowsBefore = companies("rt_dst");

        // a replace that fails while loading (a table's stored rows do not match its manifest entry)
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> tables = new java.util.ArrayList<>(m.tables());
        tables.set(0, ManifestEdits.withRows(tables.get(0), tables.get(0).rows() + 1));
        MySqlConnect dst = new MySqlConnect(target, "root", null, null);
        assertThatThrownBy(() -> new MySqlRestore(repository).restore(ManifestEdits.withTables(m, tables), dst,
                new MySqlRestore.Options(2, true), ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("do not match the snapshot's manifest")
                .hasMessageContaining("database 'rt_dst' was put back as it was");
        assertThat(AwkwardMySql.showCreate("rt_dst")).isEqualTo(before);
        assertThat(companies("rt_dst")).isEqualTo(rowsBefore).anyMatch(row -> row.contains("renamed here"));
        assertThat(AwkwardMySql.showCreate("rt_other")).isEqualTo(other);
        assertThat(EmbeddedMariaDbServer.databases("rk_replaced_")).isZero();

        DatabaseRestoreResult plan = service.restore(new DatabaseRestoreRequest("shop", null, null, target, "root",
                null, 1, true, true), ProgressListener.NONE);
        assertThat(plan.referencesKept()).containsExactly("foreign key contracts_company of rt_other.contracts"
                + " (references companies)");
        DatabaseRestoreResult r = service.restore(new DatabaseRestoreRequest("shop", null, null, target, "root", null,
                1, false, true), ProgressListener.NONE);
        assertThat(r.targetTables()).isEqualTo(10);
        assertThat(r.referencesKept()).containsExactly("foreign key contracts_company of rt_other.contracts"
                + " (references companies) (1 row(s) of rt_other.contracts reference rows that the restored companies"
                + " does not hold)");
        assertThat(MySqlTableCheck.compare(manifest(), dst)).allSatisfy(c -> assertThat(c.equal()).isTrue());
        Map<String, String> expected = AwkwardMySql.showCreate("rt_src");
        assertThat(AwkwardMySql.showCreate("rt_dst")).isEqualTo(expected);
        assertThat(EmbeddedMariaDbServer.databases("rk_replaced_")).isZero();
        // the other database's key references the restored table, and is in force
        assertThat(AwkwardMySql.showCreate("rt_other")).isEqualTo(other);
        try (Connection c = EmbeddedMariaDbServer.root("rt_other"); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("INSERT INTO contracts VALUES (5, -7)"))
                    .isInstanceOf(java.sql.SQLException.class).hasMessageContaining("foreign key constraint fails");
            st.execute("INSERT INTO contracts VALUES (3, 1)");
        }
        EmbeddedMariaDbServer.drop("rt_other");
    }

    @Test
    @Order(7)
    @DisplayName("a restore into an existing database without tables that fails drops what it created there")
    void failedRestoreIntoEmptyDatabase() throws Exception {
        String target = EmbeddedMariaDbServer.freshDatabase("rt_empty");
        try (Connection c = EmbeddedMariaDbServer.root("rt_empty"); Statement st = c.createStatement()) {
            st.execute("CREATE PROCEDURE mine() SELECT 1");
        }
        Map<String, String> before = AwkwardMySql.showCreate("rt_empty");
        assertThat(before).containsKey("PROCEDURE mine");
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> tables = new java.util.ArrayList<>(m.tables());
        tables.set(0, ManifestEdits.withRows(tables.get(0), tables.get(0).rows() + 1));
        assertThatThrownBy(() -> new MySqlRestore(repository).restore(ManifestEdits.withTables(m, tables),
                new MySqlConnect(target, "root", null, null), new MySqlRestore.Options(2, false),
                ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("do not match the snapshot's manifest")
                .hasMessageContaining("what it had created in database 'rt_empty' was dropped");
        assertThat(AwkwardMySql.showCreate("rt_empty")).isEqualTo(before);
    }

    @Test
    @Order(8)
    @DisplayName("a backup while a restore writes the database is refused, naming it")
    void backupDuringRestoreIsRefused() throws Exception {
        MySqlSourceSpec spec = new MySqlSourceSpec("shop3", EmbeddedMariaDbServer.url("rt_src"), "root", null, null,
                null, List.of(), List.of(), 1, "companies");
        try (Connection restoring = EmbeddedMariaDbServer.root("mysql"); Statement st = restoring.createStatement()) {
            st.execute("SELECT GET_LOCK('" + MySqlRestore.guardName("rt_src") + "', 0)");
            BackupResult refused = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                    ProgressListener.NONE);
            assertThat(refused.sources().get(0).error()).contains("a restore into database 'rt_src' is running")
                    .contains("nothing was stored");
        }
        assertThat(new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE)
                .sources().get(0).error()).isNull();
    }

    @Test
    @Order(9)
    @DisplayName("what a killed replace leaves: the tables and, in rk_replaced_statements, what re-creates the rest; put back whole")
    void setAsideKeepsStatements() throws Exception {
        Map<String, String> before = AwkwardMySql.showCreate("rt_dst");
        MySqlConnect dst = new MySqlConnect(EmbeddedMariaDbServer.url("rt_dst"), "root", null, null);
        ReplacedTables aside = ReplacedTables.wholeDatabase(dst);
        try {
            List<String> objects = new java.util.ArrayList<>();
            try (Connection c = EmbeddedMariaDbServer.root(aside.name()); Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT object, statement FROM " + ReplacedTables.STATEMENTS
                         + " ORDER BY position")) {
                while (r.next()) {
                    objects.add(r.getString(1));
                    assertThat(r.getString(2)).startsWith("CREATE");
                }
            }
            // every object that is not a table, by its kind, as the backup reads them
            long routinesViewsTriggersEvents = before.keySet().stream().filter(k -> !k.startsWith("TABLE ")
                    && !k.startsWith("SEQUENCE ")).count();
            assertThat(objects).hasSize((int) routinesViewsTriggersEvents + 1).first().asString()
                    .startsWith("database ");
            assertThat(objects).anyMatch(o -> o.startsWith("trigger ")).anyMatch(o -> o.startsWith("view "))
                    .anyMatch(o -> o.startsWith("event "));
        } finally {
            EmbeddedMariaDbServer.drop("rt_dst");
            aside.putBack();
        }
        assertThat(AwkwardMySql.showCreate("rt_dst")).isEqualTo(before);
        assertThat(EmbeddedMariaDbServer.databases("rk\\_replaced\\_")).isZero();
    }

    private static List<String> companies(String database) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT id, name FROM companies ORDER BY id")) {
            while (r.next()) {
                out.add(r.getString(1) + " " + r.getString(2));
            }
        }
        return out;
    }

    @Test
    @Order(4)
    @DisplayName("verify --read-data recomputes every table's digest from the stored streams")
    void verifyReadsData() {
        VerifyReport report = new VerifyService(repository).verify(new VerifyRequest(backup.snapshotId(), true),
                ProgressListener.NONE);
        assertThat(report.ok()).as(report.problems().toString()).isTrue();
        assertThat(report.files()).isEqualTo(6);
    }

    @Test
    @Order(5)
    @DisplayName("jobs = 2 dumps on two connections whose snapshots start together: the same digests")
    void parallelSnapshot() throws Exception {
        MySqlSourceSpec spec = new MySqlSourceSpec("shop2", EmbeddedMariaDbServer.url("rt_src"), "root", null, null,
                null, List.of(), List.of("audit_log"), 2, "companies");
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
        DatabaseManifest m = DatabaseManifest.load(repository,
                repository.loadSnapshot(result.sources().get(0).snapshotId()).tree());
        Map<String, String> digests = new HashMap<>();
        manifest().tables().forEach(t -> digests.put(t.name(), t.digest()));
        assertThat(m.tables()).extracting(DatabaseManifest.Table::name).doesNotContain("audit_log");
        assertThat(m.tables()).allSatisfy(t -> assertThat(t.digest()).isEqualTo(digests.get(t.name())));
        assertThat(m.tenantTable()).isEqualTo("rt_src.companies");
        assertThat(m.schemaFingerprint()).isEqualTo(manifest().schemaFingerprint());
    }

    @Test
    @Order(6)
    @DisplayName("a manifest with the SHA-256 digests of snapshots made before MurmurHash3 is checked with those; a wrong one fails")
    void olderDigests() throws Exception {
        DatabaseManifest m = manifest();
        List<DatabaseManifest.Table> older = ManifestEdits.withSha256Digests(repository, m, t -> false);
        List<DatabaseManifest.Table> wrong = ManifestEdits.withSha256Digests(repository, m, t -> true);
        assertThat(older).allSatisfy(t -> assertThat(t.digest()).hasSize(64).doesNotStartWith(RowScanner.DIGEST_PREFIX));
        MySqlConnect source = new MySqlConnect(EmbeddedMariaDbServer.url("rt_src"), "root", null, null);
        assertThat(MySqlTableCheck.compare(ManifestEdits.withTables(m, older), source)).hasSize(m.tables().size())
                .allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
        assertThat(MySqlTableCheck.compare(ManifestEdits.withTables(m, wrong), source)).hasSize(m.tables().size())
                .allSatisfy(c -> assertThat(c.equal()).as(c.table()).isFalse());
    }
}
