package io.restorekit.restore;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.ManifestEdits;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresSourceSpec;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant and module restores of a real PostgreSQL database (20 tenants; invoice items reach
 * their tenant only through invoices): in place in one transaction, into another database, and
 * as a dry run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantRestoreTest {
    private static final String DB = "tenants_app";
    private static final String SCHEMA = """
            CREATE TABLE tenants (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE customers (id bigserial PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                name text NOT NULL);
            CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id int NOT NULL REFERENCES tenants, customer_id bigint NOT NULL REFERENCES customers,
                number text NOT NULL, total numeric(12, 2) NOT NULL, note text, UNIQUE (tenant_id, number));
            CREATE INDEX invoices_tenant ON invoices (tenant_id);
            CREATE TABLE invoice_items (id bigserial PRIMARY KEY,
                invoice_id bigint NOT NULL REFERENCES invoices ON DELETE CASCADE, line int NOT NULL,
                sku text NOT NULL, amount numeric(10, 2) NOT NULL);
            CREATE TABLE receipts (tenant_id int NOT NULL, invoice_id bigint NOT NULL REFERENCES invoices,
                paid numeric(12, 2) NOT NULL);
            CREATE TABLE settings (key text PRIMARY KEY, value text);
            INSERT INTO tenants SELECT g, 'tenant ' || g FROM generate_series(1, 20) g;
            INSERT INTO customers (tenant_id, name) SELECT 1 + g % 20, 'customer ' || g FROM generate_series(1, 200) g;
            INSERT INTO invoices (tenant_id, customer_id, number, total, note)
                SELECT c.tenant_id, c.id, 'INV-' || c.id || '-' || n, (c.id * 7 + n) % 1000 + 0.5,
                       E'note\\twith tab ' || n
                FROM customers c, generate_series(1, 5) n;
            INSERT INTO invoice_items (invoice_id, line, sku, amount)
                SELECT i.id, l, 'SKU-' || (i.id * 31 + l) % 997, (i.id + l) % 500 + 0.25
                FROM invoices i, generate_series(1, 3) l;
            INSERT INTO receipts SELECT tenant_id, id, total FROM invoices WHERE id % 2 = 0;
            INSERT INTO settings VALUES ('theme', 'dark'), ('locale', 'de');
            """;

    Repository repository;
    InMemoryCatalog catalog;
    PostgresSourceSpec source;
    String snapshotId;
    Map<String, List<String>> tenant3AtBackup;
    Map<String, List<String>> tenant4AtBackup;

    @BeforeAll
    void backUp() throws Exception {
        repository = FilesFixtures.newRepository();
        String url = EmbeddedPostgresServer.freshDatabase(DB);
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            st.execute(SCHEMA);
        }
        source = new PostgresSourceSpec("db", url, "postgres", null, null, "tenant_id", List.of(), List.of(), 2,
                null, "tenants");
        BackupResult r = new BackupService(repository).backup(BackupRequest.of(List.of(source)),
                ProgressListener.NONE);
        assertThat(r.sources().get(0).error()).isNull();
        snapshotId = r.sources().get(0).snapshotId();
        tenant3AtBackup = tenantRows(3);
        tenant4AtBackup = tenantRows(4);
    }

    @BeforeEach
    void freshCatalog() {
        catalog = new InMemoryCatalog();
    }

    @AfterAll
    void close() throws IOException {
        repository.close();
    }

    private DatabaseRestoreService service() {
        return new DatabaseRestoreService(repository, catalog);
    }

    private ScopedRestoreResult restore(String tenant, String module, List<String> tables, String target,
                                        boolean dryRun) {
        return service().restoreScoped(new ScopedRestoreRequest(source, null, null, tenant, module, tables, target,
                "postgres", null, target == null, dryRun, true), ProgressListener.NONE);
    }

    @Test
    @DisplayName("the manifest records the foreign keys and each tenant's chunks, items grouped through invoices")
    void manifest() throws IOException {
        DatabaseManifest m = DatabaseManifest.load(repository, repository.loadSnapshot(snapshotId).tree());
        assertThat(m.foreignKeys()).extracting(DatabaseManifest.ForeignKey::table)
                .contains("public.invoice_items", "public.invoices", "public.receipts");
        assertThat(m.tenantTable()).isEqualTo("public.tenants");
        Map<String, DatabaseManifest.Table> byName = new LinkedHashMap<>();
        m.tables().forEach(t -> byName.put(t.name(), t));
        DatabaseManifest.Table items = byName.get("invoice_items");
        assertThat(items.tenantVia()).hasSize(1);
        assertThat(items.tenantKey()).isEqualTo("tenant_id");
        assertThat(items.tenantChunks()).hasSize(20);
        assertThat(items.tenantRows().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(items.rows());
        assertThat(byName.get("tenants").tenantKey()).isEqualTo("id");
        assertThat(byName.get("settings").groupedByTenant()).isFalse();
        assertThat(byName.get("invoices").primaryKey()).containsExactly("id");
    }

    @Test
    @DisplayName("restores tenant 3 in place: its rows equal the backup, tenant 4's changes stay, foreign keys hold, little is read")
    void tenantInPlace() throws Exception {
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            for (int tenant : new int[]{3, 4}) {
                st.execute("DELETE FROM receipts WHERE tenant_id = " + tenant);
                st.execute("DELETE FROM invoices WHERE id IN (SELECT id FROM invoices WHERE tenant_id = " + tenant
                        + " ORDER BY id LIMIT 12)");
                st.execute("UPDATE invoices SET total = total + 1, note = 'changed' WHERE tenant_id = " + tenant);
                st.execute("UPDATE invoice_items SET amount = 0 WHERE invoice_id IN (SELECT id FROM invoices"
                        + " WHERE tenant_id = " + tenant + ")");
                st.execute("INSERT INTO customers (tenant_id, name) VALUES (" + tenant + ", 'new customer')");
                st.execute("INSERT INTO invoices (tenant_id, customer_id, number, total) SELECT " + tenant
                        + ", max(id), 'NEW-1', 9 FROM customers WHERE tenant_id = " + tenant);
                st.execute("UPDATE tenants SET name = 'renamed' WHERE id = " + tenant);
            }
        }
        Map<String, List<String>> tenant4Before = tenantRows(4);
        assertThat(tenant4Before).isNotEqualTo(tenant4AtBackup);
        long sequenceBefore = sequence("invoices_id_seq");
        Map<String, List<String>> wholeBefore = wholeDatabase();

        ScopedRestoreResult plan = restore("3", null, null, null, true);
        assertThat(wholeDatabase()).as("a dry run changes nothing").isEqualTo(wholeBefore);
        Map<String, ScopedRestore.TablePlan> planned = new LinkedHashMap<>();
        plan.outcome().tables().forEach(t -> planned.put(t.table(), t));
        assertThat(planned.get("public.invoices").toInsert()).isEqualTo(12);
        assertThat(planned.get("public.invoices").toDelete()).isEqualTo(1);
        assertThat(planned.get("public.invoices").toUpdate()).isEqualTo(38);
        assertThat(planned.get("public.receipts").toInsert()).isPositive();
        assertThat(planned.get("public.tenants").toUpdate()).isEqualTo(1);
        assertThat(planned.keySet()).doesNotContain("public.settings");
        List<String> order = new ArrayList<>(planned.keySet());
        assertThat(order.indexOf("public.invoices")).isLessThan(order.indexOf("public.invoice_items"));
        assertThat(order.indexOf("public.tenants")).isLessThan(order.indexOf("public.customers"));

        ScopedRestoreResult applied = restore("3", null, null, null, false);
        assertThat(applied.outcome().applied()).isTrue();
        assertThat(tenantRows(3)).isEqualTo(tenant3AtBackup);
        assertThat(tenantRows(4)).isEqualTo(tenant4Before);
        assertThat(sequence("invoices_id_seq")).isGreaterThanOrEqualTo(sequenceBefore);
        assertThat(orphans()).isZero();
        // One tenant of twenty: a small fraction of the table bytes is read.
        assertThat(applied.outcome().bytesRead()).isPositive()
                .isLessThan(applied.outcome().tableBytes() * 15 / 100);

        List<Run> runs = catalog.runs(RunQuery.of(RunKind.RESTORE));
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).rows()).isEqualTo(applied.rowsChanged());
        assertThat(runs).allMatch(r -> r.status() == RunStatus.SUCCEEDED && r.snapshot().equals(snapshotId));
        assertThat(runs.get(0).details()).contains("\"tenant\":\"3\"", "\"target\":\"in place\"",
                "\"dry-run\":false", "\"rows-to-insert\"");
        assertThat(runs.get(1).details()).contains("\"dry-run\":true");
        assertThat(runs.get(0).bytesRead()).isEqualTo(applied.outcome().bytesRead());

        // Again: nothing left to change, nothing duplicated (receipts have no primary key).
        ScopedRestoreResult again = restore("3", null, null, null, false);
        assertThat(again.rowsChanged()).isZero();
        assertThat(again.outcome().total(ScopedRestore.TablePlan::unchanged))
                .isEqualTo(tenant3AtBackup.values().stream().mapToLong(List::size).sum());
        assertThat(tenantRows(3)).isEqualTo(tenant3AtBackup);

        // Tenant 4 restored as well: both back to the snapshot.
        restore("4", null, null, null, false);
        assertThat(tenantRows(4)).isEqualTo(tenant4AtBackup);
        assertThat(tenantRows(3)).isEqualTo(tenant3AtBackup);
    }

    @Test
    @DisplayName("with statistics saying the tenants' rows are spread over every page, the current rows are read by whole-table scans and the restore is exact")
    void tenantInPlaceAfterAnalyze() throws Exception {
        Map<String, List<String>> tenant9AtBackup = tenantRowsAtBackup(9);
        Map<String, List<String>> tenant10Before = tenantRows(10);
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            st.execute("DELETE FROM receipts WHERE tenant_id = 9 AND invoice_id % 4 = 0");
            st.execute("DELETE FROM invoice_items WHERE invoice_id IN (SELECT id FROM invoices WHERE tenant_id = 9"
                    + " ORDER BY id LIMIT 3)");
            st.execute("UPDATE invoices SET note = E'edited\\twith a tab' WHERE tenant_id = 9 AND id % 3 = 0");
            st.execute("INSERT INTO customers (tenant_id, name) VALUES (9, 'after the backup')");
            st.execute("ANALYZE");
        }
        Map<String, List<String>> wholeBefore = wholeDatabase();
        ScopedRestoreResult plan = restore("9", null, null, null, true);
        assertThat(wholeDatabase()).isEqualTo(wholeBefore);
        assertThat(plan.rowsChanged()).isPositive();

        ScopedRestoreResult applied = restore("9", null, null, null, false);
        assertThat(applied.rowsChanged()).isEqualTo(plan.rowsChanged());
        assertThat(tenantRows(9)).isEqualTo(tenant9AtBackup);
        assertThat(tenantRows(10)).isEqualTo(tenant10Before);
        assertThat(orphans()).isZero();
        assertThat(restore("9", null, null, null, false).rowsChanged()).isZero();
    }

    @Test
    @DisplayName("a restore that would remove a row another tenant now references rolls back and says why")
    void foreignKeyFailureRollsBack() throws Exception {
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            st.execute("INSERT INTO customers (id, tenant_id, name) VALUES (90001, 5, 'after the backup')");
            st.execute("INSERT INTO invoices (tenant_id, customer_id, number, total) VALUES (6, 90001, 'X-1', 1)");
            st.execute("UPDATE customers SET name = 'edited' WHERE tenant_id = 5 AND id < 90000");
        }
        Map<String, List<String>> before = wholeDatabase();
        assertThatThrownBy(() -> restore("5", null, null, null, false))
                .isInstanceOf(RkException.class)
                .hasMessageContaining("foreign key").hasMessageContaining("rolled back");
        assertThat(wholeDatabase()).isEqualTo(before);
        assertThat(catalog.runs(RunQuery.of(RunKind.RESTORE))).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(RunStatus.FAILED));
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            st.execute("DELETE FROM invoices WHERE number = 'X-1'");
        }
        restore("5", null, null, null, false);
        assertThat(wholeDatabase().get("customers")).noneMatch(r -> r.contains("90001"));
    }

    @Test
    @DisplayName("module billing of one tenant in place, and module + tenant into another database")
    void moduleRestores() throws Exception {
        List<String> billing = List.of("invoices", "invoice_items", "receipts");
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            st.execute("DELETE FROM receipts WHERE tenant_id = 7 AND invoice_id % 3 = 0");
            st.execute("DELETE FROM invoices WHERE tenant_id = 7 AND id % 3 = 0");
            st.execute("UPDATE customers SET name = 'kept' WHERE tenant_id = 7");
        }
        Map<String, List<String>> customersBefore = Map.of("customers", wholeDatabase().get("customers"));
        ScopedRestoreResult r = restore("7", "billing", billing, null, false);
        assertThat(r.outcome().tables()).extracting(ScopedRestore.TablePlan::table)
                .startsWith("public.invoices").containsExactlyInAnyOrder("public.invoices", "public.invoice_items",
                        "public.receipts");
        Map<String, List<String>> tenant7 = tenantRows(7);
        Map<String, List<String>> expected = tenantRowsAtBackup(7);
        for (String table : List.of("invoices", "invoice_items", "receipts")) {
            assertThat(tenant7.get(table)).as(table).isEqualTo(expected.get(table));
        }
        assertThat(Map.of("customers", wholeDatabase().get("customers"))).isEqualTo(customersBefore);

        EmbeddedPostgresServer.drop(io.restorekit.source.postgres.EmbeddedPostgresServer.get(), "tenants_inspect");
        String target = EmbeddedPostgresServer.url("tenants_inspect");
        ScopedRestoreResult into = restore("8", "billing", billing, target, false);
        assertThat(into.outcome().created()).isTrue();
        try (Connection c = EmbeddedPostgresServer.connect("tenants_inspect"); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " ORDER BY 1")).containsExactly("invoice_items", "invoices", "receipts");
            assertThat(rows(st, "SELECT t::text FROM invoices t ORDER BY 1"))
                    .isEqualTo(tenantRowsAtBackup(8).get("invoices"));
            assertThat(rows(st, "SELECT t::text FROM invoice_items t ORDER BY 1"))
                    .isEqualTo(tenantRowsAtBackup(8).get("invoice_items"));
            assertThat(rows(st, "SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1"))
                    .contains("invoice_items_invoice_id_fkey");
        }
        assertThatThrownBy(() -> service().restoreScoped(new ScopedRestoreRequest(source, null, null, "8", "billing",
                billing, target, "postgres", null, false, false, false), ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("already holds").hasMessageContaining("--yes");

        // --yes into that database, failing once the tables it replaces are dropped (the snapshot's
        // invoice_items table cannot take its rows): one transaction, so they are all still there
        // (with a table of its own whose foreign key references invoices, and a view on invoices: what
        // dropping the tables takes along, the key created again and the view named)
        try (Connection c = EmbeddedPostgresServer.connect("tenants_inspect"); Statement st = c.createStatement()) {
            st.execute("UPDATE invoices SET total = total + 1 WHERE id = (SELECT min(id) FROM invoices)");
            st.execute("CREATE TABLE reminders (id int PRIMARY KEY, invoice_id bigint CONSTRAINT reminders_invoice"
                    + " REFERENCES invoices ON DELETE CASCADE)");
            st.execute("INSERT INTO reminders SELECT 1, min(id) FROM invoices");
            st.execute("CREATE VIEW open_invoices AS SELECT id FROM invoices");
            // an invoice made here, which the snapshot does not hold, and a claim on it
            st.execute("INSERT INTO invoices (tenant_id, customer_id, number, total) SELECT 8, min(customer_id),"
                    + " 'MADE-HERE', 1 FROM invoices");
            st.execute("CREATE TABLE claims (invoice_id bigint CONSTRAINT claims_invoice REFERENCES invoices)");
            st.execute("INSERT INTO claims SELECT id FROM invoices WHERE number = 'MADE-HERE'");
        }
        Map<String, List<String>> before = inspectRows();
        java.util.function.Predicate<String> beyond = n -> n.startsWith("tables replaced in the target: ")
                && n.contains("; dropped with them, as they depend on them: view public.open_invoices;")
                && n.endsWith("the foreign keys of other tables that reference them are created again on the"
                + " restored ones: constraint claims_invoice on table public.claims, constraint reminders_invoice"
                + " on table public.reminders");
        DatabaseManifest m = DatabaseManifest.load(repository, repository.loadSnapshot(snapshotId).tree());
        List<DatabaseManifest.Ddl> schema = m.schema().stream().map(d -> d.phase() == DatabaseManifest.Phase.TABLES
                && d.object().equals("table public.invoice_items") ? new DatabaseManifest.Ddl(d.phase(), d.object(),
                d.sql().replaceFirst("\\)\\s*$", ", CHECK (false))")) : d).toList();
        assertThat(schema).isNotEqualTo(m.schema());
        PgConnect dst = new PgConnect(target, "postgres", null, null);
        assertThat(new ScopedRestore(repository).restoreInto(m, new ScopedRestore.Scope("8", "billing", billing), dst,
                true, true, ProgressListener.NONE).notes()).anyMatch(beyond);
        assertThatThrownBy(() -> new ScopedRestore(repository).restoreInto(ManifestEdits.withSchema(m, schema),
                new ScopedRestore.Scope("8", "billing", billing), dst, true, false, ProgressListener.NONE))
                .isInstanceOf(RkException.class).hasMessageContaining("invoice_items")
                .hasMessageContaining("the transaction was rolled back, nothing was changed");
        assertThat(inspectRows()).isEqualTo(before);
        ScopedRestoreResult replaced = service().restoreScoped(new ScopedRestoreRequest(source, null, null, "8",
                "billing", billing, target, "postgres", null, false, false, true), ProgressListener.NONE);
        assertThat(replaced.outcome().applied()).isTrue();
        assertThat(replaced.outcome().notes()).anyMatch(beyond).contains("constraint claims_invoice on table"
                + " public.claims created again NOT VALID: rows of public.claims reference rows the restored"
                + " public.invoices does not hold").noneMatch(n -> n.startsWith("constraint reminders_invoice"));
        Map<String, List<String>> after = inspectRows();
        assertThat(after.get("invoices")).isEqualTo(tenantRowsAtBackup(8).get("invoices"))
                .isNotEqualTo(before.get("invoices"));
        assertThat(after.get("keys")).contains("reminders_invoice", "claims_invoice");
        try (Connection c = EmbeddedPostgresServer.connect("tenants_inspect"); Statement st = c.createStatement()) {
            assertThat(rows(st, "SELECT count(*) FROM pg_views WHERE viewname = 'open_invoices'")).containsExactly("0");
            assertThat(rows(st, "SELECT conname || ' ' || convalidated FROM pg_constraint WHERE conname IN"
                    + " ('claims_invoice', 'reminders_invoice') ORDER BY 1"))
                    .containsExactly("claims_invoice false", "reminders_invoice true");
            assertThatThrownBy(() -> st.execute("INSERT INTO reminders VALUES (2, -1)"))
                    .hasMessageContaining("reminders_invoice");
        }
    }

    private static Map<String, List<String>> inspectRows() throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Connection c = EmbeddedPostgresServer.connect("tenants_inspect"); Statement st = c.createStatement()) {
            out.put("tables", rows(st, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " ORDER BY 1"));
            for (String table : List.of("invoices", "invoice_items", "receipts")) {
                out.put(table, rows(st, "SELECT t::text FROM " + table + " t ORDER BY 1"));
            }
            out.put("keys", rows(st, "SELECT conname FROM pg_constraint ORDER BY 1"));
        }
        return out;
    }

    @Test
    @DisplayName("an unknown tenant, a module table the snapshot lacks, or a whole in-place restore is refused (exit 2)")
    void badInput() {
        assertThatThrownBy(() -> restore("99", null, null, null, true)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("tenant '99'").hasMessageContaining("1, 2, 3");
        assertThatThrownBy(() -> restore("3", "billing", List.of("invoices", "payments"), null, true))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'payments'");
        assertThatThrownBy(() -> restore(null, null, null, null, true)).isInstanceOf(BadInputException.class);
        assertThat(catalog.runs(RunQuery.of(RunKind.RESTORE))).allMatch(r -> r.status() == RunStatus.FAILED);
    }

    // --- what the database holds -------------------------------------------------------------

    private Map<String, List<String>> snapshotCache;

    /** Tenant {@code t}'s rows as they were at the backup (captured before any test changed them). */
    private Map<String, List<String>> tenantRowsAtBackup(int t) throws Exception {
        if (t == 3) {
            return tenant3AtBackup;
        }
        if (t == 4) {
            return tenant4AtBackup;
        }
        // Other tenants are changed by one test only; restore them into a scratch database to compare.
        String scratch = "tenants_scratch_" + t;
        EmbeddedPostgresServer.drop(EmbeddedPostgresServer.get(), scratch);
        restore(String.valueOf(t), null, null, EmbeddedPostgresServer.url(scratch), false);
        return tenantRows(scratch, t);
    }

    private Map<String, List<String>> tenantRows(int tenant) throws SQLException {
        return tenantRows(DB, tenant);
    }

    private static Map<String, List<String>> tenantRows(String db, int tenant) throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Connection c = EmbeddedPostgresServer.connect(db); Statement st = c.createStatement()) {
            out.put("tenants", rows(st, "SELECT t::text FROM tenants t WHERE id = " + tenant + " ORDER BY 1"));
            out.put("customers", rows(st, "SELECT t::text FROM customers t WHERE tenant_id = " + tenant
                    + " ORDER BY 1"));
            out.put("invoices", rows(st, "SELECT t::text FROM invoices t WHERE tenant_id = " + tenant
                    + " ORDER BY 1"));
            out.put("invoice_items", rows(st, "SELECT t::text FROM invoice_items t JOIN invoices i ON i.id ="
                    + " t.invoice_id WHERE i.tenant_id = " + tenant + " ORDER BY 1"));
            out.put("receipts", rows(st, "SELECT t::text FROM receipts t WHERE tenant_id = " + tenant
                    + " ORDER BY 1"));
        } catch (SQLException e) {
            if (!db.equals(DB)) {
                // A scratch database holds only the scope's tables.
                return out;
            }
            throw e;
        }
        return out;
    }

    private static Map<String, List<String>> wholeDatabase() throws SQLException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            for (String t : List.of("tenants", "customers", "invoices", "invoice_items", "receipts", "settings")) {
                out.put(t, rows(st, "SELECT t::text FROM " + t + " t ORDER BY 1"));
            }
        }
        return out;
    }

    private static long orphans() throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            return Long.parseLong(rows(st, "SELECT (SELECT count(*) FROM invoice_items i LEFT JOIN invoices v ON"
                    + " v.id = i.invoice_id WHERE v.id IS NULL) + (SELECT count(*) FROM receipts r LEFT JOIN"
                    + " invoices v ON v.id = r.invoice_id WHERE v.id IS NULL)").get(0));
        }
    }

    private static long sequence(String name) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect(DB); Statement st = c.createStatement()) {
            return Long.parseLong(rows(st, "SELECT last_value FROM " + name).get(0));
        }
    }

    private static List<String> rows(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet r = st.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }
}
