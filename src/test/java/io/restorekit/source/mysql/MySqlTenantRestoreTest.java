package io.restorekit.source.mysql;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.restore.ScopedRestoreRequest;
import io.restorekit.restore.ScopedRestoreResult;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.ScopedRestore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlTenantRestoreTest {
    static final List<String> BILLING = List.of("invoices", "invoice_items");
    Repository repository;
    MySqlSourceSpec spec;
    DatabaseManifest manifest;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        String url = EmbeddedMariaDbServer.freshDatabase("tr_src");
        AwkwardMySql.create("tr_src", 30);
        spec = new MySqlSourceSpec("shop", url, EmbeddedMariaDbServer.USER, "SHOP_PASSWORD",
                EmbeddedMariaDbServer.PASSWORD, null, List.of(), List.of(), 1, "companies");
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
        manifest = DatabaseManifest.load(repository,
                repository.loadSnapshot(result.sources().get(0).snapshotId()).tree());
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    @BeforeEach
    void damage() throws Exception {
        // The state the backup saw, then changes to tenants 2 and 3 after it.
        try (Connection c = EmbeddedMariaDbServer.root("tr_src"); Statement st = c.createStatement()) {
            st.execute("SET foreign_key_checks = 0");
            st.execute("DELETE FROM invoice_items");
            st.execute("DELETE FROM invoices");
            st.execute("SET foreign_key_checks = 1");
        }
        new MySqlScopedRestore(repository).restoreInto(manifest, new ScopedRestore.Scope(null, "billing", BILLING),
                new MySqlConnect(EmbeddedMariaDbServer.url("tr_src"), "root", null, null), true, false,
                ProgressListener.NONE);
        try (Connection c = EmbeddedMariaDbServer.root("tr_src"); Statement st = c.createStatement()) {
            st.execute("DELETE FROM invoices WHERE tenant_id = 2 AND id % 3 = 0");
            st.execute("UPDATE invoices SET note = 'changed 😀', amount = amount + 1 WHERE tenant_id = 2 AND id % 3 = 1");
            st.execute("UPDATE invoice_items SET description = NULL WHERE invoice_id IN"
                    + " (SELECT id FROM invoices WHERE tenant_id = 2) AND line = 0");
            st.execute("INSERT INTO invoices (tenant_id, number, amount) VALUES (2, 'NEW-2', 5), (3, 'NEW-3', 7)");
            st.execute("UPDATE invoices SET note = 'tenant 3 edit' WHERE tenant_id = 3 AND id % 5 = 0");
        }
    }

    /** Digest of one tenant's rows of each billing table, read from the database as row text. */
    private static Map<String, String> digests(String database, String tenant) throws Exception {
        Map<String, String> out = new TreeMap<>();
        MySqlConnect connect = new MySqlConnect(EmbeddedMariaDbServer.url(database), "root", null, null);
        Map<String, Map<String, String>> types = MySqlRestore.columnTypes(connect);
        try (Connection c = connect.open()) {
            out.put("invoices", digest(c, "invoices", types, "t0.tenant_id = " + tenant));
            out.put("invoice_items", digest(c, "invoice_items", types,
                    "t0.invoice_id IN (SELECT id FROM invoices WHERE tenant_id = " + tenant + ")"));
        }
        return out;
    }

    private static String digest(Connection c, String table, Map<String, Map<String, String>> types, String where)
            throws Exception {
        List<String> columns = new java.util.ArrayList<>(types.get(table).keySet());
        columns.removeIf(col -> col.equals("tax") || col.equals("total"));
        java.util.Collections.sort(columns);
        // Column order does not matter for equality of two reads with the same order.
        RowScanner s = MySqlTableCheck.scan(c, MySqlConnect.ident(table), columns, types.get(table), where, null);
        return s.rows() + ":" + s.digest();
    }

    private Map<String, String> expected(String tenant) throws Exception {
        return digests("tr_src_ref_" + tenant, tenant);
    }

    private void reference(String tenant) throws Exception {
        EmbeddedMariaDbServer.drop("tr_src_ref_" + tenant);
        new MySqlScopedRestore(repository).restoreInto(manifest, new ScopedRestore.Scope(tenant, "billing", BILLING),
                new MySqlConnect(EmbeddedMariaDbServer.url("tr_src_ref_" + tenant), "root", null, null), false, false,
                ProgressListener.NONE);
    }

    private ScopedRestoreResult restore(String tenant, boolean dryRun) {
        return new DatabaseRestoreService(repository).restoreScoped(new ScopedRestoreRequest(spec, null, null, tenant,
                "billing", BILLING, null, null, null, true, dryRun, true), ProgressListener.NONE);
    }

    @Test
    @DisplayName("tenant 2 restored in place equals the backup; tenant 3's changed rows are untouched")
    void tenantInPlace() throws Exception {
        reference("2");
        Map<String, String> expected2 = expected("2");
        assertThat(digests("tr_src", "2")).isNotEqualTo(expected2);
        Map<String, String> tenant3Before = digests("tr_src", "3");

        ScopedRestoreResult r = restore("2", false);

        assertThat(r.outcome().applied()).isTrue();
        assertThat(r.outcome().total(ScopedRestore.TablePlan::toDelete)).isEqualTo(1);
        // The deleted invoices and the items their deletion cascaded to.
        assertThat(r.outcome().total(ScopedRestore.TablePlan::toInsert)).isGreaterThan(10);
        assertThat(r.outcome().total(ScopedRestore.TablePlan::toUpdate)).isGreaterThanOrEqualTo(10);
        assertThat(digests("tr_src", "2")).isEqualTo(expected2);
        assertThat(digests("tr_src", "3")).isEqualTo(tenant3Before);
        assertThat(r.outcome().bytesRead()).isLessThan(r.outcome().tableBytes() / 2);
        ScopedRestoreResult again = restore("2", true);
        assertThat(again.rowsChanged()).isZero();
    }

    @Test
    @DisplayName("a module restored into a new database brings the sequence its table's default draws from")
    void moduleIntoNewDatabaseBringsItsSequence() throws Exception {
        EmbeddedMariaDbServer.drop("tr_docs");
        new MySqlScopedRestore(repository).restoreInto(manifest, new ScopedRestore.Scope("2", "docs",
                List.of("documents")), new MySqlConnect(EmbeddedMariaDbServer.url("tr_docs"), "root", null, null),
                false, false, ProgressListener.NONE);
        try (Connection c = EmbeddedMariaDbServer.root("tr_docs"); Statement st = c.createStatement()) {
            long drawn;
            try (var r = st.executeQuery("SELECT COUNT(*), MAX(ref) FROM documents WHERE tenant_id = 2")) {
                r.next();
                assertThat(r.getLong(1)).isEqualTo(12);
                drawn = r.getLong(2);
            }
            st.execute("INSERT INTO documents (tenant_id) VALUES (2)");
            try (var r = st.executeQuery("SELECT MAX(ref), (SELECT MAX(ref) FROM tr_src.documents) FROM documents")) {
                r.next();
                assertThat(r.getLong(1)).isGreaterThan(drawn).isGreaterThan(r.getLong(2));
            }
            try (var r = st.executeQuery("SHOW CREATE TABLE documents")) {
                r.next();
                assertThat(r.getString(2)).contains("nextval(`tr_docs`.`doc_refs`)");
            }
        }
    }

    @Test
    @DisplayName("a dry run plans the changes and changes nothing")
    void dryRun() throws Exception {
        Map<String, String> before2 = digests("tr_src", "2");
        Map<String, String> before3 = digests("tr_src", "3");
        ScopedRestoreResult plan = restore("2", true);
        assertThat(plan.outcome().applied()).isFalse();
        assertThat(plan.rowsChanged()).isGreaterThan(0);
        assertThat(plan.outcome().tables()).extracting(ScopedRestore.TablePlan::table)
                .containsExactly("tr_src.invoices", "tr_src.invoice_items");
        assertThat(digests("tr_src", "2")).isEqualTo(before2);
        assertThat(digests("tr_src", "3")).isEqualTo(before3);
    }

    @Test
    @DisplayName("a restore that would break a foreign key rolls everything back and says why")
    void foreignKeyFailureRollsBack() throws Exception {
        Map<String, String> before2 = digests("tr_src", "2");
        // Restoring only the items: some reference invoices deleted since the backup.
        assertThatThrownBy(() -> new DatabaseRestoreService(repository).restoreScoped(new ScopedRestoreRequest(spec,
                null, null, "2", "items", List.of("invoice_items"), null, null, null, true, false, true),
                ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("foreign key")
                .hasMessageContaining("rolled back");
        assertThat(digests("tr_src", "2")).isEqualTo(before2);
    }

    @Test
    @DisplayName("--yes into a database holding the scope's tables sets them aside: a restore that fails puts them back, triggers included")
    void replaceIntoPutsBackOnFailure() throws Exception {
        reference("4");
        String db = "tr_src_ref_4";
        Map<String, String> fresh = digests(db, "4");
        try (Connection c = EmbeddedMariaDbServer.root(db); Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER ref_note BEFORE UPDATE ON invoices FOR EACH ROW"
                    + " SET NEW.note = CONCAT(COALESCE(NEW.note, ''), ' (edited)')");
            st.execute("UPDATE invoices SET amount = amount + 1 WHERE tenant_id = 4 ORDER BY id LIMIT 1");
        }
        Map<String, String> before = AwkwardMySql.showCreate(db);
        Map<String, String> rowsBefore = digests(db, "4");
        assertThat(rowsBefore).isNotEqualTo(fresh);
        assertThat(before).containsKey("TRIGGER ref_note");

        // a snapshot whose invoice_items table cannot take its rows: the load fails after invoices is in
        List<DatabaseManifest.Ddl> schema = manifest.schema().stream().map(d -> d.phase()
                == DatabaseManifest.Phase.TABLES && d.object().endsWith(".invoice_items")
                ? new DatabaseManifest.Ddl(d.phase(), d.object(), d.sql().replaceFirst("\n\\) ENGINE",
                ",\n  CONSTRAINT never CHECK (0)\n) ENGINE"), d.session()) : d).toList();
        assertThat(schema).isNotEqualTo(manifest.schema());
        MySqlConnect target = new MySqlConnect(EmbeddedMariaDbServer.url(db), "root", null, null);
        ScopedRestore.Scope scope = new ScopedRestore.Scope("4", "billing", BILLING);
        ScopedRestore.Outcome plan = new MySqlScopedRestore(repository).restoreInto(manifest, scope, target, true,
                true, ProgressListener.NONE);
        assertThat(plan.notes()).contains("tables replaced in the target: invoices, invoice_items (set aside until"
                + " the restore is done, put back should it fail)");
        assertThatThrownBy(() -> new MySqlScopedRestore(repository).restoreInto(
                io.restorekit.source.postgres.ManifestEdits.withSchema(manifest, schema), scope, target, true, false,
                ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("took 0 of")
                .hasMessageContaining("the tables it replaced were put back as they were");
        assertThat(AwkwardMySql.showCreate(db)).isEqualTo(before);
        assertThat(digests(db, "4")).isEqualTo(rowsBefore);
        assertThat(EmbeddedMariaDbServer.databases("rk\\_replaced\\_")).isZero();

        ScopedRestore.Outcome done = new MySqlScopedRestore(repository).restoreInto(manifest, scope, target, true,
                false, ProgressListener.NONE);
        assertThat(done.applied()).isTrue();
        assertThat(digests(db, "4")).isEqualTo(fresh);
        assertThat(EmbeddedMariaDbServer.databases("rk\\_replaced\\_")).isZero();

        // into a database holding none of the scope's tables: a restore that fails drops those it created
        EmbeddedMariaDbServer.freshDatabase("tr_scope_empty");
        try (Connection c = EmbeddedMariaDbServer.root("tr_scope_empty"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE kept (id INT PRIMARY KEY)");
        }
        Map<String, String> emptyBefore = AwkwardMySql.showCreate("tr_scope_empty");
        assertThatThrownBy(() -> new MySqlScopedRestore(repository).restoreInto(
                io.restorekit.source.postgres.ManifestEdits.withSchema(manifest, schema), scope,
                new MySqlConnect(EmbeddedMariaDbServer.url("tr_scope_empty"), "root", null, null), false, false,
                ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("took 0 of")
                .hasMessageContaining("the tables it had created in database 'tr_scope_empty' were dropped");
        assertThat(AwkwardMySql.showCreate("tr_scope_empty")).isEqualTo(emptyBefore).containsOnlyKeys("TABLE kept");

        // tables outside the scope referencing one of it, in the same database and in another: their
        // keys would follow the table aside, so they are dropped meanwhile and created again
        long tenant4Invoice;
        long newInvoice;
        try (Connection c = EmbeddedMariaDbServer.root(db); Statement st = c.createStatement()) {
            try (ResultSet r = st.executeQuery("SELECT MIN(id) FROM invoices WHERE tenant_id = 4")) {
                r.next();
                tenant4Invoice = r.getLong(1);
            }
            // an invoice the snapshot does not hold: its reminder will reference nothing after the restore
            st.execute("SET foreign_key_checks = 0"); // this copy holds no companies
            st.execute("INSERT INTO invoices (tenant_id, number, amount) VALUES (4, 'NEW-4', 5)");
            st.execute("SET foreign_key_checks = 1");
            try (ResultSet r = st.executeQuery("SELECT LAST_INSERT_ID()")) {
                r.next();
                newInvoice = r.getLong(1);
            }
            st.execute("CREATE TABLE reminders (id INT PRIMARY KEY, invoice_id BIGINT, CONSTRAINT reminders_invoice"
                    + " FOREIGN KEY (invoice_id) REFERENCES invoices (id) ON DELETE CASCADE)");
            st.execute("INSERT INTO reminders VALUES (1, " + tenant4Invoice + "), (2, " + newInvoice + "), (3, NULL)");
        }
        EmbeddedMariaDbServer.freshDatabase("tr_scope_other");
        try (Connection c = EmbeddedMariaDbServer.root("tr_scope_other"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE audit (id INT PRIMARY KEY, invoice_id BIGINT, CONSTRAINT audit_invoice"
                    + " FOREIGN KEY (invoice_id) REFERENCES " + db + ".invoices (id))");
            st.execute("INSERT INTO audit VALUES (1, " + tenant4Invoice + ")");
        }
        Map<String, String> withReferences = AwkwardMySql.showCreate(db);
        Map<String, String> otherBefore = AwkwardMySql.showCreate("tr_scope_other");
        assertThat(withReferences.get("TABLE reminders")).contains("REFERENCES `invoices`");
        assertThat(otherBefore.get("TABLE audit")).contains("REFERENCES `" + db + "`.`invoices`");
        Map<String, String> rowsWithReferences = digests(db, "4");
        assertThat(new MySqlScopedRestore(repository).restoreInto(manifest, scope, target, true, true,
                ProgressListener.NONE).notes()).contains("tables replaced in the target: invoices, invoice_items"
                + " (set aside until the restore is done, put back should it fail); the foreign keys referencing"
                + " them from outside the scope are dropped meanwhile and created again: foreign key audit_invoice"
                + " of tr_scope_other.audit (references invoices), foreign key reminders_invoice of reminders"
                + " (references invoices)");
        assertThatThrownBy(() -> new MySqlScopedRestore(repository).restoreInto(
                io.restorekit.source.postgres.ManifestEdits.withSchema(manifest, schema), scope, target, true, false,
                ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("took 0 of")
                .hasMessageContaining("the tables it replaced were put back as they were");
        assertThat(AwkwardMySql.showCreate(db)).isEqualTo(withReferences);
        assertThat(AwkwardMySql.showCreate("tr_scope_other")).isEqualTo(otherBefore);
        assertThat(digests(db, "4")).isEqualTo(rowsWithReferences);
        assertThat(EmbeddedMariaDbServer.databases("rk\\_replaced\\_")).isZero();

        ScopedRestore.Outcome replaced = new MySqlScopedRestore(repository).restoreInto(manifest, scope, target, true,
                false, ProgressListener.NONE);
        assertThat(replaced.applied()).isTrue();
        assertThat(digests(db, "4")).isEqualTo(fresh);
        assertThat(replaced.notes()).contains("foreign key reminders_invoice of reminders (references invoices): 1"
                + " row(s) of reminders reference rows that the restored invoices does not hold");
        assertThat(replaced.notes()).noneMatch(n -> n.startsWith("foreign key audit_invoice"));
        // (the restored invoices table has the snapshot's AUTO_INCREMENT, not the one after NEW-4)
        assertThat(AwkwardMySql.showCreate(db).get("TABLE reminders")).isEqualTo(withReferences.get("TABLE reminders"));
        assertThat(AwkwardMySql.showCreate("tr_scope_other")).isEqualTo(otherBefore);
        assertThat(EmbeddedMariaDbServer.databases("rk\\_replaced\\_")).isZero();
        // the keys are in force on the restored table: a reference to no invoice is refused,
        // and deleting an invoice cascades to its reminder
        try (Connection c = EmbeddedMariaDbServer.root(db); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.execute("INSERT INTO reminders VALUES (4, -1)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("foreign key constraint fails");
            try (Connection o = EmbeddedMariaDbServer.root("tr_scope_other"); Statement other = o.createStatement()) {
                other.execute("DELETE FROM audit");
            }
            st.execute("DELETE FROM invoice_items WHERE invoice_id = " + tenant4Invoice);
            st.execute("DELETE FROM invoices WHERE id = " + tenant4Invoice);
            try (ResultSet r = st.executeQuery("SELECT COUNT(*) FROM reminders WHERE id = 1")) {
                r.next();
                assertThat(r.getLong(1)).isZero();
            }
        }
        EmbeddedMariaDbServer.drop("tr_scope_other");
    }

    @Test
    @DisplayName("an unknown tenant is bad input (exit 2) naming the tenants there")
    void unknownTenant() {
        assertThatThrownBy(() -> restore("77", true)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("tenant '77' has no rows").hasMessageContaining("1, 2, 3, 4, 5")
                .satisfies(e -> assertThat(((RkException) e).code()).isEqualTo(ErrorCode.BAD_INPUT));
    }
}
