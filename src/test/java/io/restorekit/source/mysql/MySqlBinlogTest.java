package io.restorekit.source.mysql;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups of a MariaDB server whose binary log is on, in row format: the tables the log shows
 * unchanged since the previous snapshot are taken from it, the others read; whatever the log
 * cannot vouch for makes every table be read. Every snapshot restores to exactly the database as
 * it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlBinlogTest {
    static final List<String> TABLES = List.of("customers", "notes", "order_lines", "orders");
    EmbeddedMariaDbServer.Instance server;
    Repository repository;
    int database;

    @BeforeAll
    void start() {
        server = EmbeddedMariaDbServer.separate("binlog", "--log-bin=rk-binlog", "--binlog-format=ROW",
                "--server-id=7");
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    /** A new repository and database for each test: customers hold the tenant, orders and lines reach it. */
    @BeforeEach
    void fresh() throws Exception {
        repository = FilesFixtures.newRepository();
        database++;
        try (Connection c = root(""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db() + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
            st.execute("USE " + db());
            st.execute("CREATE TABLE customers (id INT PRIMARY KEY, tenant_id INT NOT NULL, name VARCHAR(50))");
            st.execute("CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(10,2),"
                    + " CONSTRAINT fk_order_customer FOREIGN KEY (customer_id) REFERENCES customers (id))");
            st.execute("CREATE TABLE order_lines (id INT PRIMARY KEY, order_id INT NOT NULL, item VARCHAR(50),"
                    + " CONSTRAINT fk_line_order FOREIGN KEY (order_id) REFERENCES orders (id))");
            st.execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)");
            st.execute("INSERT INTO customers SELECT seq, 1 + seq % 4, CONCAT('customer ', seq) FROM seq_1_to_40");
            st.execute("INSERT INTO orders SELECT seq, 1 + seq % 40, seq * 1.25 FROM seq_1_to_400");
            st.execute("INSERT INTO order_lines SELECT seq, 1 + seq % 400, CONCAT('item 😀 ', seq) FROM seq_1_to_2000");
            st.execute("INSERT INTO notes SELECT seq, REPEAT('note ', seq % 50) FROM seq_1_to_300");
        }
    }

    private String db() {
        return "shop" + database;
    }

    private Connection root(String name) throws Exception {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port() + "/" + name, "root", "");
    }

    private void sql(String... statements) throws Exception {
        try (Connection c = root(db()); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private MySqlSourceSpec spec() {
        return MySqlSourceSpec.of("shop", "jdbc:mariadb://127.0.0.1:" + server.port() + "/" + db(), "root", null);
    }

    private BackupResult.SourceResult backup(MySqlSourceSpec spec) {
        BackupResult.SourceResult r = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE).sources().get(0);
        assertThat(r.error()).isNull();
        return r;
    }

    private DatabaseManifest manifest(String snapshot) throws Exception {
        Snapshot s = repository.snapshots().stream().filter(x -> x.id().equals(snapshot)).findFirst().orElseThrow();
        return DatabaseManifest.load(repository, s.tree());
    }

    private static List<String> unchanged(BackupResult.SourceResult r) {
        return r.tables().stream().filter(t -> Boolean.TRUE.equals(t.unchanged())).map(t -> t.table()
                .substring(t.table().indexOf('.') + 1)).sorted().toList();
    }

    /** Every table's rows, in key order, as text. */
    private Map<String, List<String>> rows(String name) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        try (Connection c = root(name); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r = st.executeQuery("SELECT TABLE_NAME FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE()")) {
                while (r.next()) {
                    tables.add(r.getString(1));
                }
            }
            assertThat(tables).containsAll(TABLES);
            for (String t : tables) {
                out.put(t, select(name, "SELECT * FROM " + t + " ORDER BY id"));
            }
        }
        return out;
    }

    /** Restores {@code snapshot} into a new database and returns its rows. */
    private Map<String, List<String>> restored(String snapshot) throws Exception {
        String target = db() + "_r" + snapshot.substring(0, 6);
        new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("shop", snapshot, null,
                "jdbc:mariadb://127.0.0.1:" + server.port() + "/" + target, "root", null, 1, false, false),
                ProgressListener.NONE);
        return rows(target);
    }

    @Test
    @DisplayName("tables the log shows unchanged are taken from the previous snapshot; the restore is the database as it was")
    void unchangedTablesTaken() throws Exception {
        BackupResult.SourceResult first = backup(spec());
        assertThat(unchanged(first)).isEmpty();
        assertThat(first.notes()).isEmpty();
        DatabaseManifest before = manifest(first.snapshotId());
        assertThat(before.binlog()).isNotNull();
        assertThat(before.binlog().file()).startsWith("rk-binlog.");
        assertThat(before.binlog().unchanged()).isEmpty();

        sql("UPDATE orders SET amount = amount + 1 WHERE id = 17", "INSERT INTO orders VALUES (401, 3, 9.99)");
        Map<String, List<String>> expected = rows(db());
        BackupResult.SourceResult second = backup(spec());

        assertThat(unchanged(second)).containsExactly("customers", "notes", "order_lines");
        assertThat(second.summary().reusedFiles()).isEqualTo(3);
        assertThat(second.notes()).isEmpty();
        DatabaseManifest after = manifest(second.snapshotId());
        assertThat(after.binlog().from()).isEqualTo(first.snapshotId());
        assertThat(after.binlog().unchanged()).containsExactly("customers", "notes", "order_lines");
        assertThat(after.binlog().allRead()).isEqualTo(before.binlog().allRead());
        for (String t : List.of("customers", "notes", "order_lines")) {
            DatabaseManifest.Table was = table(before, t);
            DatabaseManifest.Table now = table(after, t);
            assertThat(now.chunks()).isEqualTo(was.chunks());
            assertThat(now.digest()).isEqualTo(was.digest());
            assertThat(now.tenantChunks()).isEqualTo(was.tenantChunks());
            assertThat(now.addedBytes()).isZero();
        }
        assertThat(table(after, "orders").rows()).isEqualTo(401);
        assertThat(restored(second.snapshotId())).isEqualTo(expected);

        // A child changed under an unchanged parent: read with the join, grouped by tenant as before.
        sql("UPDATE order_lines SET item = 'changed' WHERE id % 100 = 0");
        Map<String, List<String>> expected3 = rows(db());
        BackupResult.SourceResult third = backup(spec());
        assertThat(unchanged(third)).as("%s", third.notes()).containsExactly("customers", "notes", "orders");
        DatabaseManifest last = manifest(third.snapshotId());
        assertThat(table(last, "order_lines").tenantRows()).isEqualTo(table(before, "order_lines").tenantRows());
        assertThat(table(last, "order_lines").tenantChunks()).isNotNull();
        assertThat(restored(third.snapshotId())).isEqualTo(expected3);

        // Nothing changed: nothing read, and the same rows again.
        BackupResult.SourceResult fourth = backup(spec());
        assertThat(unchanged(fourth)).containsExactlyElementsOf(TABLES);
        assertThat(restored(fourth.snapshotId())).isEqualTo(expected3);

        // One tenant, from tables taken from three earlier snapshots: that tenant's rows as they are.
        String target = db() + "_tenant2";
        new MySqlScopedRestore(repository).restoreInto(manifest(fourth.snapshotId()),
                new io.restorekit.source.postgres.ScopedRestore.Scope("2", null, null),
                new MySqlConnect("jdbc:mariadb://127.0.0.1:" + server.port() + "/" + target, "root", null, null),
                false, false, ProgressListener.NONE);
        assertThat(select(target, "SELECT * FROM customers ORDER BY id"))
                .isEqualTo(select(db(), "SELECT * FROM customers WHERE tenant_id = 2 ORDER BY id")).hasSize(10);
        assertThat(select(target, "SELECT * FROM orders ORDER BY id")).isEqualTo(select(db(),
                "SELECT o.* FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.tenant_id = 2 ORDER BY o.id"));
        assertThat(select(target, "SELECT * FROM order_lines ORDER BY id")).isEqualTo(select(db(),
                "SELECT l.* FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c"
                        + " ON c.id = o.customer_id WHERE c.tenant_id = 2 ORDER BY l.id")).hasSizeGreaterThan(400);
    }

    /** The rows {@code sql} selects in database {@code name}, as text. */
    private List<String> select(String name, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = root(name); Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
            ResultSetMetaData m = r.getMetaData();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= m.getColumnCount(); i++) {
                    row.append(r.getString(i)).append('\t');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    /**
     * Backs up after a change the log cannot vouch for: every table read, the note saying why
     * ({@code because}), and the restore the database as it is.
     */
    private BackupResult.SourceResult readsEverything(String because) throws Exception {
        Map<String, List<String>> expected = rows(db());
        BackupResult.SourceResult r = backup(spec());
        assertThat(unchanged(r)).isEmpty();
        assertThat(r.notes()).singleElement().asString().startsWith("every table read: ").contains(because);
        assertThat(restored(r.snapshotId())).isEqualTo(expected);
        return r;
    }

    private static DatabaseManifest.Table table(DatabaseManifest m, String name) {
        return m.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("a table a cascading foreign key changed is read, though the log names only the referenced table")
    void cascades() throws Exception {
        sql("CREATE TABLE docs (id INT PRIMARY KEY, title TEXT)",
                "CREATE TABLE doc_pages (id INT PRIMARY KEY, doc_id INT, body TEXT, CONSTRAINT fk_page_doc"
                        + " FOREIGN KEY (doc_id) REFERENCES docs (id) ON DELETE CASCADE)",
                "CREATE TABLE page_marks (id INT PRIMARY KEY, page_id INT, CONSTRAINT fk_mark_page"
                        + " FOREIGN KEY (page_id) REFERENCES doc_pages (id) ON DELETE SET NULL)",
                "INSERT INTO docs SELECT seq, CONCAT('doc ', seq) FROM seq_1_to_20",
                "INSERT INTO doc_pages SELECT seq, 1 + seq % 20, 'page' FROM seq_1_to_200",
                "INSERT INTO page_marks SELECT seq, seq FROM seq_1_to_200");
        backup(spec());
        sql("DELETE FROM docs WHERE id = 3");
        Map<String, List<String>> expected = rows(db());
        assertThat(expected.get("doc_pages")).hasSize(190);
        BackupResult.SourceResult r = backup(spec());
        assertThat(unchanged(r)).as("%s", r.notes()).containsExactlyElementsOf(TABLES);
        assertThat(restored(r.snapshotId())).isEqualTo(expected);
    }

    @Test
    @DisplayName("an XA transaction prepared before the previous snapshot and committed after it makes every table be read")
    void xaCommit() throws Exception {
        backup(spec());
        try (Connection c = root(db()); Statement st = c.createStatement()) {
            st.execute("XA START 'rk1'");
            st.execute("UPDATE notes SET body = 'prepared' WHERE id = 7");
            st.execute("XA END 'rk1'");
            st.execute("XA PREPARE 'rk1'");
            BackupResult.SourceResult prepared = backup(spec());
            assertThat(unchanged(prepared)).doesNotContain("notes");
            st.execute("XA COMMIT 'rk1'");
        }
        readsEverything("XA");
    }

    @Test
    @DisplayName("a user who may not list the binary log backs up every table, and the note names the privilege")
    void withoutPrivileges() throws Exception {
        String user = "reader" + database;
        try (Connection c = root(""); Statement st = c.createStatement()) {
            // (every host form: the server's anonymous users would take 'localhost' before '%')
            for (String host : new String[]{"%", "localhost", "127.0.0.1"}) {
                st.execute("CREATE USER '" + user + "'@'" + host + "' IDENTIFIED BY 'pw'");
                st.execute("GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, EXECUTE ON " + db() + ".* TO '" + user + "'@'"
                        + host + "'");
            }
        }
        MySqlSourceSpec spec = MySqlSourceSpec.of("shop", "jdbc:mariadb://127.0.0.1:" + server.port() + "/" + db(),
                user, "pw");
        backup(spec);
        BackupResult.SourceResult r = backup(spec);
        assertThat(unchanged(r)).isEmpty();
        assertThat(r.notes()).singleElement().asString().startsWith("every table read: ").contains("privilege");
        assertThat(manifest(r.snapshotId()).binlog()).isNull();
        assertThat(restored(r.snapshotId())).isEqualTo(rows(db()));
    }

    @Test
    @DisplayName("another database's changes and DDL leave this one's tables unread")
    void otherDatabases() throws Exception {
        backup(spec());
        try (Connection c = root(""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS elsewhere");
            st.execute("CREATE TABLE IF NOT EXISTS elsewhere.t (id INT PRIMARY KEY)");
            st.execute("INSERT INTO elsewhere.t VALUES (" + database + ")");
        }
        BackupResult.SourceResult r = backup(spec());
        assertThat(unchanged(r)).containsExactlyElementsOf(TABLES);
        assertThat(r.notes()).isEmpty();
    }

    @Test
    @DisplayName("a statement on this database in the log (TRUNCATE) makes every table be read, and the restore is exact")
    void statementOnThisDatabase() throws Exception {
        backup(spec());
        sql("TRUNCATE TABLE notes");
        assertThat(rows(db()).get("notes")).isEmpty();
        BackupResult.SourceResult r = readsEverything("statement on this database");
        assertThat(r.notes().get(0)).contains("TRUNCATE");
    }

    @Test
    @DisplayName("a change a session logged as a statement makes every table be read")
    void statementFormat() throws Exception {
        backup(spec());
        sql("SET SESSION binlog_format = 'STATEMENT'", "UPDATE notes SET body = 'statement' WHERE id = 5");
        readsEverything("logged as a statement");
    }

    @Test
    @DisplayName("a purged log, full-read-every and binlog: off each make every table be read")
    void everyTableRead() throws Exception {
        backup(spec());
        sql("UPDATE notes SET body = 'after purge' WHERE id = 9", "FLUSH BINARY LOGS");
        String was = manifest(repository.snapshots().get(0).id()).binlog().file();
        try (Connection c = root(""); Statement st = c.createStatement()) {
            String current;
            try (ResultSet r = st.executeQuery("SHOW MASTER STATUS")) {
                r.next();
                current = r.getString(1);
            }
            // the server keeps a file until the engine has made its transactions durable
            for (int i = 0; i < 100 && logs(st).contains(was); i++) {
                st.execute("PURGE BINARY LOGS TO '" + current + "'");
                Thread.sleep(100);
            }
            assertThat(logs(st)).doesNotContain(was);
        }
        BackupResult.SourceResult purged = backup(spec());
        assertThat(unchanged(purged)).isEmpty();
        assertThat(purged.notes()).singleElement().asString().contains("purged");
        assertThat(table(manifest(purged.snapshotId()), "notes").digest())
                .isNotEqualTo(table(manifest(repository.snapshots().stream().filter(s -> !s.id()
                        .equals(purged.snapshotId())).findFirst().orElseThrow().id()), "notes").digest());

        BackupResult.SourceResult due = backup(spec().withBinlog(true, Duration.ZERO));
        assertThat(unchanged(due)).isEmpty();
        assertThat(due.notes()).singleElement().asString().contains("full-read-every");
        assertThat(manifest(due.snapshotId()).binlog().readAll()).contains("full-read-every");

        BackupResult.SourceResult taken = backup(spec());
        assertThat(unchanged(taken)).containsExactlyElementsOf(TABLES);

        BackupResult.SourceResult off = backup(spec().withBinlog(false, Duration.ofDays(1)));
        assertThat(unchanged(off)).isEmpty();
        assertThat(off.notes()).isEmpty();
        assertThat(manifest(off.snapshotId()).binlog()).isNull();
        // the next one has no position to start from
        BackupResult.SourceResult after = backup(spec());
        assertThat(unchanged(after)).isEmpty();
        assertThat(after.notes()).singleElement().asString().contains("has no binary log position");
    }

    private static List<String> logs(Statement st) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet r = st.executeQuery("SHOW BINARY LOGS")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    @Test
    @DisplayName("on a server without a binary log every table is read, without a note")
    void logOff() throws Exception {
        EmbeddedMariaDbServer.freshDatabase("binlog_off");
        try (Connection c = EmbeddedMariaDbServer.root("binlog_off"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
            st.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        }
        MySqlSourceSpec spec = MySqlSourceSpec.of("plain", EmbeddedMariaDbServer.url("binlog_off"), "root", null);
        backup(spec);
        BackupResult.SourceResult r = backup(spec);
        assertThat(unchanged(r)).isEmpty();
        assertThat(r.notes()).isEmpty();
        assertThat(manifest(r.snapshotId()).binlog()).isNull();
    }
}
