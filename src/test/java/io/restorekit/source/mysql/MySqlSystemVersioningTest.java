package io.restorekit.source.mysql;

import io.restorekit.archive.StandardTools;
import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.ScopedRestore;
import io.restorekit.source.postgres.TableCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MariaDB's system-versioned tables keep every row version with the time it began and ended: what
 * retention rules ask an audit table to keep. A backup holds every version; a whole restore, a
 * drill's check and the export give them all back with their times; a tenant restore puts the
 * tenant's current rows back and lets the server version that change like any other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlSystemVersioningTest {
    @TempDir
    static Path tmp;
    Repository repository;
    Snapshot snapshot;
    DatabaseManifest manifest;
    Map<String, List<String>> sourceVersions;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        String url = EmbeddedMariaDbServer.freshDatabase("sv_src");
        try (Connection c = EmbeddedMariaDbServer.root("sv_src"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE companies (id INT PRIMARY KEY, name VARCHAR(40))");
            // hidden period (ROW_START, ROW_END), rows grouped by tenant
            st.execute("CREATE TABLE patient_notes (id INT PRIMARY KEY, tenant_id INT NOT NULL, note TEXT,"
                    + " FOREIGN KEY (tenant_id) REFERENCES companies (id)) WITH SYSTEM VERSIONING");
            // declared period columns, invisible; no tenant column
            st.execute("CREATE TABLE prices (code VARCHAR(10) PRIMARY KEY, cents INT,"
                    + " valid_from TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,"
                    + " valid_to TIMESTAMP(6) GENERATED ALWAYS AS ROW END INVISIBLE,"
                    + " PERIOD FOR SYSTEM_TIME (valid_from, valid_to)) WITH SYSTEM VERSIONING");
            // versioned by transaction ids, which mean nothing on another server
            st.execute("CREATE TABLE ledger (id INT PRIMARY KEY, amount INT,"
                    + " trx_start BIGINT UNSIGNED GENERATED ALWAYS AS ROW START,"
                    + " trx_end BIGINT UNSIGNED GENERATED ALWAYS AS ROW END,"
                    + " PERIOD FOR SYSTEM_TIME (trx_start, trx_end)) ENGINE=InnoDB WITH SYSTEM VERSIONING");
            st.execute("INSERT INTO ledger (id, amount) VALUES (1, 10)");
            st.execute("UPDATE ledger SET amount = 11");
            st.execute("INSERT INTO companies VALUES (1, 'north'), (2, 'south')");
            for (int i = 1; i <= 6; i++) {
                st.execute("INSERT INTO patient_notes VALUES (" + i + ", " + (i % 2 + 1) + ", 'first 😀 " + i + "')");
            }
            st.execute("UPDATE patient_notes SET note = CONCAT(note, ' corrected') WHERE id <= 4");
            st.execute("UPDATE patient_notes SET note = 'second\\tcorrection' WHERE id = 1");
            st.execute("DELETE FROM patient_notes WHERE id = 6");
            st.execute("INSERT INTO prices (code, cents) VALUES ('A', 100), ('B', 250)");
            st.execute("UPDATE prices SET cents = 120 WHERE code = 'A'");
        }
        sourceVersions = versions("sv_src");
        assertThat(sourceVersions.get("patient_notes")).hasSize(11);
        assertThat(sourceVersions.get("prices")).hasSize(3);
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(MySqlSourceSpec.of(
                "clinic", url, EmbeddedMariaDbServer.USER, EmbeddedMariaDbServer.PASSWORD))), ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
        snapshot = repository.loadSnapshot(result.sources().get(0).snapshotId());
        manifest = DatabaseManifest.load(repository, snapshot.tree());
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    /** Every row version of the two versioned tables, with its start and end, in UTC, sorted. */
    private static Map<String, List<String>> versions(String database) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            out.put("patient_notes", rows(st, "SELECT id, tenant_id, note, ROW_START, ROW_END FROM patient_notes"
                    + " FOR SYSTEM_TIME ALL ORDER BY id, ROW_START"));
            out.put("prices", rows(st, "SELECT code, cents, valid_from, valid_to FROM prices FOR SYSTEM_TIME ALL"
                    + " ORDER BY code, valid_from"));
        }
        return out;
    }

    private static List<String> rows(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet r = st.executeQuery(sql)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? " | " : "").append(r.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    private static long count(String database, String sql) throws Exception {
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement();
             ResultSet r = st.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    @DisplayName("the backup holds every row version, its period columns last, counted per tenant")
    void backupHoldsHistory() {
        assertThat(snapshot.warnings()).containsExactly(new Snapshot.Warning("table sv_src.ledger",
                "versioned by transaction ids, so only its current rows are backed up, not its history"));
        Map<String, DatabaseManifest.Table> tables = new TreeMap<>();
        manifest.tables().forEach(t -> tables.put(t.name(), t));
        assertThat(tables.get("patient_notes").rows()).isEqualTo(11);
        assertThat(tables.get("patient_notes").columns()).containsExactly("id", "tenant_id", "note", "ROW_START",
                "ROW_END");
        assertThat(tables.get("patient_notes").tenantRows()).containsEntry("1", 5L).containsEntry("2", 6L);
        assertThat(tables.get("prices").rows()).isEqualTo(3);
        assertThat(tables.get("prices").columns()).containsExactly("code", "cents", "valid_from", "valid_to");
        assertThat(SystemTime.withHistory(manifest)).containsOnlyKeys("patient_notes", "prices");
        assertThat(tables.get("ledger").rows()).isEqualTo(1);
        assertThat(tables.get("ledger").columns()).containsExactly("id", "amount");
    }

    @Test
    @DisplayName("a whole restore gives every row version back with its start and end; SHOW CREATE and digests equal")
    void wholeRestoreKeepsHistory() throws Exception {
        EmbeddedMariaDbServer.drop("sv_whole");
        new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("clinic", null, null,
                EmbeddedMariaDbServer.url("sv_whole"), "root", null, 2, false, false), ProgressListener.NONE);
        assertThat(versions("sv_whole")).isEqualTo(sourceVersions);
        assertThat(AwkwardMySql.showCreate("sv_whole")).isEqualTo(AwkwardMySql.showCreate("sv_src"));
        List<TableCheck> checks = MySqlTableCheck.compare(manifest, new MySqlConnect(
                EmbeddedMariaDbServer.url("sv_whole"), "root", null, null));
        assertThat(checks).hasSize(4).allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
        assertThat(rows("sv_whole", "SELECT id, amount FROM ledger")).containsExactly("1 | 11");
        // the restored tables go on versioning: a change ends the current version now
        try (Connection c = EmbeddedMariaDbServer.root("sv_whole"); Statement st = c.createStatement()) {
            st.execute("UPDATE prices SET cents = 130 WHERE code = 'A'");
        }
        assertThat(count("sv_whole", "SELECT COUNT(*) FROM prices FOR SYSTEM_TIME ALL")).isEqualTo(4);
        assertThat(count("sv_whole", "SELECT cents FROM prices WHERE code = 'A'")).isEqualTo(130);
    }

    @Test
    @DisplayName("a server whose secure_timestamp forbids setting row times is refused, restore and dry run alike, before anything changes")
    void serverThatCannotTakeHistory() throws Exception {
        try (EmbeddedMariaDbServer.Instance strict = EmbeddedMariaDbServer.separate("strict", "--secure-timestamp=YES")) {
            String url = "jdbc:mariadb://127.0.0.1:" + strict.port() + "/sv_strict";
            for (boolean dryRun : new boolean[]{true, false}) {
                assertThatThrownBy(() -> new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest(
                        "clinic", null, null, url, "root", null, 1, dryRun, false), ProgressListener.NONE))
                        .as("dry run " + dryRun).isInstanceOf(RkException.class)
                        .hasMessageContaining("history of system-versioned tables (patient_notes, prices)")
                        .hasMessageContaining("secure_timestamp=YES").hasMessageContaining("nothing was changed");
            }
            assertThat(MySqlRestore.tablesIn(new MySqlConnect(url, "root", null, null))).isEqualTo(-1);
        }
    }

    @Test
    @DisplayName("a tenant restore in place puts the tenant's current rows back; the history grows, the other tenant is untouched")
    void tenantRestoreInPlace() throws Exception {
        EmbeddedMariaDbServer.drop("sv_live");
        new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("clinic", null, null,
                EmbeddedMariaDbServer.url("sv_live"), "root", null, 1, false, false), ProgressListener.NONE);
        try (Connection c = EmbeddedMariaDbServer.root("sv_live"); Statement st = c.createStatement()) {
            st.execute("UPDATE patient_notes SET note = 'overwritten' WHERE tenant_id = 1");
            st.execute("DELETE FROM patient_notes WHERE id = 5");
            st.execute("UPDATE patient_notes SET note = 'tenant 2 edit' WHERE id = 3");
        }
        List<String> otherBefore = rows("sv_live", "SELECT id, note FROM patient_notes WHERE tenant_id = 1 ORDER BY id");
        long historyBefore = count("sv_live", "SELECT COUNT(*) FROM patient_notes FOR SYSTEM_TIME ALL");
        MySqlConnect live = new MySqlConnect(EmbeddedMariaDbServer.url("sv_live"), "root", null, null);
        ScopedRestore.Outcome plan = new MySqlScopedRestore(repository).plan(manifest,
                new ScopedRestore.Scope("2", null, null), live, ProgressListener.NONE);
        assertThat(plan.notes()).anyMatch(n -> n.contains("sv_src.patient_notes is system-versioned: its current rows"
                + " are restored, not its history"));
        ScopedRestore.TablePlan notes = plan.tables().stream().filter(t -> t.table().endsWith("patient_notes"))
                .findFirst().orElseThrow();
        assertThat(notes.snapshotRows()).as(notes.toString()).isEqualTo(3);
        assertThat(notes.toInsert()).as(notes.toString()).isEqualTo(1);
        assertThat(notes.toUpdate()).as(notes.toString()).isEqualTo(1);
        new MySqlScopedRestore(repository).applyInPlace(manifest, new ScopedRestore.Scope("2", null, null), live,
                ProgressListener.NONE);
        assertThat(rows("sv_live", "SELECT id, tenant_id, note FROM patient_notes WHERE tenant_id = 2 ORDER BY id"))
                .isEqualTo(rows("sv_src", "SELECT id, tenant_id, note FROM patient_notes WHERE tenant_id = 2 ORDER BY id"));
        assertThat(rows("sv_live", "SELECT id, note FROM patient_notes WHERE tenant_id = 1 ORDER BY id"))
                .isEqualTo(otherBefore);
        assertThat(count("sv_live", "SELECT COUNT(*) FROM patient_notes FOR SYSTEM_TIME ALL"))
                .isGreaterThan(historyBefore);
    }

    @Test
    @DisplayName("a module restore into another database creates the versioned table with the snapshot's current rows")
    void moduleIntoNewDatabase() throws Exception {
        EmbeddedMariaDbServer.drop("sv_module");
        ScopedRestore.Outcome done = new MySqlScopedRestore(repository).restoreInto(manifest,
                new ScopedRestore.Scope(null, "pricing", List.of("prices")), new MySqlConnect(
                        EmbeddedMariaDbServer.url("sv_module"), "root", null, null), false, false, ProgressListener.NONE);
        assertThat(done.created()).isTrue();
        assertThat(done.notes()).anyMatch(n -> n.contains("sv_src.prices is system-versioned"));
        assertThat(rows("sv_module", "SELECT code, cents FROM prices ORDER BY code"))
                .isEqualTo(rows("sv_src", "SELECT code, cents FROM prices ORDER BY code"))
                .containsExactly("A | 120", "B | 250");
        assertThat(count("sv_module", "SELECT COUNT(*) FROM prices FOR SYSTEM_TIME ALL")).isEqualTo(2);
        assertThat(AwkwardMySql.showCreate("sv_module").get("TABLE prices")).contains("WITH SYSTEM VERSIONING")
                .isEqualTo(AwkwardMySql.showCreate("sv_src").get("TABLE prices"));
    }

    @Test
    @DisplayName("the export loads into a new database with the mariadb client, every row version with its start and end")
    void exportKeepsHistory() throws Exception {
        Path script = tmp.resolve("clinic.sql");
        try (OutputStream out = Files.newOutputStream(script)) {
            new MySqlScript(repository).write(snapshot, manifest, out, ProgressListener.NONE);
        }
        assertThat(Files.readString(script)).contains("SET SESSION system_versioning_insert_history = 1;");
        EmbeddedMariaDbServer.freshDatabase("sv_export");
        Path bin = EmbeddedMariaDbServer.binaries();
        StandardTools.run(tmp, "LD_LIBRARY_PATH='" + bin.resolveSibling("libs") + "' '" + bin.resolve("mariadb")
                + "' --no-defaults --skip-ssl --default-character-set=utf8mb4 -uroot -h127.0.0.1 -P"
                + EmbeddedMariaDbServer.port() + " sv_export < '" + script + "'");
        assertThat(versions("sv_export")).isEqualTo(sourceVersions);
        assertThat(MySqlTableCheck.compare(manifest, new MySqlConnect(EmbeddedMariaDbServer.url("sv_export"), "root",
                null, null))).allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
    }

    private static List<String> rows(String database, String sql) throws Exception {
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement()) {
            return rows(st, sql);
        }
    }
}
