package io.restorekit.source.postgres;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.restore.ScopedRestoreRequest;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.memory.InMemoryStorage;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Row deltas: a second backup of a table with few changed rows stores its parent's base stream
 * plus a patch of the changed rows, and every reader (restore, tenant restore, verify) sees the
 * whole new table.
 */
class RowDeltaTest {
    private static final String DB = "delta_app";
    private static final String SCHEMA = """
            CREATE TABLE tenants (id int PRIMARY KEY, name text NOT NULL);
            CREATE TABLE items (id bigint PRIMARY KEY, tenant_id int NOT NULL REFERENCES tenants,
                title text NOT NULL, qty int, note text);
            CREATE TABLE lines (item_id bigint NOT NULL REFERENCES items ON DELETE CASCADE, n int NOT NULL,
                amount numeric(10, 2), PRIMARY KEY (item_id, n));
            CREATE TABLE log (id int PRIMARY KEY, msg text);
            CREATE TABLE loose (v text);
            INSERT INTO tenants SELECT g, 'tenant ' || g FROM generate_series(1, 8) g;
            INSERT INTO items SELECT g, 1 + g % 8, md5(g::text) || ' ' || md5((g * 3)::text), g % 1000,
                CASE WHEN g % 7 = 0 THEN NULL ELSE E'tab\\there ' || g END FROM generate_series(1, 120000) g;
            INSERT INTO lines SELECT 1 + g % 120000, g / 120000, (g % 5000) / 100.0 FROM generate_series(1, 40000) g;
            INSERT INTO log SELECT g, 'event ' || md5(g::text) FROM generate_series(1, 20000) g;
            INSERT INTO loose SELECT 'v' || g FROM generate_series(1, 500) g;
            """;

    @TempDir
    Path cache;
    Repository repository;
    PostgresSourceSpec spec;

    InMemoryStorage storage;

    @BeforeEach
    void setUp() throws Exception {
        storage = new InMemoryStorage();
        repository = Repository.init(storage, "secret".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20));
        String url = EmbeddedPostgresServer.freshDatabase(DB);
        sql(DB, SCHEMA);
        spec = new PostgresSourceSpec("db", url, "postgres", null, null, "tenant_id", List.of(), List.of(), 2, null,
                "tenants").withDeltaCache(cache);
    }

    @AfterEach
    void close() throws IOException {
        repository.close();
    }

    private BackupResult.SourceResult backup(ProgressListener progress) {
        BackupResult.SourceResult r = new BackupService(repository).backup(BackupRequest.of(List.of(spec)), progress)
                .sources().get(0);
        assertThat(r.error()).as("backup error").isNull();
        return r;
    }

    private DatabaseManifest manifest(BackupResult.SourceResult r) throws IOException {
        return DatabaseManifest.load(repository, repository.loadSnapshot(r.snapshotId()).tree());
    }

    private static DatabaseManifest.Table table(DatabaseManifest m, String name) {
        return m.tables().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    /** Row count and digest of every table of {@code db}, read with the backup's COPY settings. */
    private static Map<String, String> digests(DatabaseManifest m, String db) {
        Map<String, String> out = new TreeMap<>();
        for (TableCheck c : TableCheck.compare(m, PgConnect.of(PostgresSourceSpec.of("x",
                EmbeddedPostgresServer.url(db), "postgres", null)))) {
            out.put(c.table(), c.actualRows() + " " + c.actualDigest());
        }
        return out;
    }

    private static Map<String, String> expected(DatabaseManifest m) {
        Map<String, String> out = new TreeMap<>();
        m.tables().forEach(t -> out.put(t.qualifiedName(), t.rows() + " " + t.digest()));
        return out;
    }

    private void restoreInto(String snapshot, String target) throws SQLException {
        sql("postgres", "DROP DATABASE IF EXISTS " + target + " WITH (FORCE)");
        new DatabaseRestoreService(repository, new InMemoryCatalog()).restore(new DatabaseRestoreRequest("db", snapshot,
                null, EmbeddedPostgresServer.url(target), "postgres", null, 2, false, false), ProgressListener.NONE);
    }

    private void change(String... statements) throws SQLException {
        sql(DB, statements);
    }

    @Test
    @DisplayName("1 % of rows changed: the second backup adds under 5 %, restores, tenant restores and verifies equal")
    void patchedSnapshots() throws Exception {
        BackupResult.SourceResult first = backup(ProgressListener.NONE);
        DatabaseManifest m1 = manifest(first);
        assertThat(m1.tables()).noneMatch(DatabaseManifest.Table::patched);

        // updates spread over every chunk, inserts in two tenants (one of them new), deletes, rows
        // moving between tenants, and a table without a key
        change("UPDATE items SET qty = qty + 1 WHERE id % 100 = 7",
                "INSERT INTO tenants VALUES (9, 'tenant 9')",
                "INSERT INTO items SELECT g, CASE WHEN g % 2 = 0 THEN 2 ELSE 9 END, 'new ' || g, 1, NULL"
                        + " FROM generate_series(200001, 200300) g",
                "DELETE FROM items WHERE id % 1000 = 3",
                "UPDATE items SET tenant_id = 4 WHERE tenant_id = 3 AND id % 500 = 11",
                "UPDATE log SET msg = msg || '!' WHERE id % 100 = 1",
                "INSERT INTO loose VALUES ('new')");
        BackupResult.SourceResult second = backup(ProgressListener.NONE);
        DatabaseManifest m2 = manifest(second);
        DatabaseManifest.Table items1 = table(m1, "items");
        DatabaseManifest.Table items2 = table(m2, "items");
        assertThat(items2.patched()).isTrue();
        assertThat(items2.chunks()).isEqualTo(items1.chunks());
        assertThat(items2.tenantChunks()).isEqualTo(items1.tenantChunks());
        assertThat(items2.patchTenantChunks()).containsKeys("2", "9", "4");
        assertThat(items2.supersededRows()).isGreaterThan(1200);
        assertThat(table(m2, "log").patched()).isTrue();
        assertThat(table(m2, "loose").patched()).isFalse();
        assertThat(items2.addedBytes()).isLessThan(items1.addedBytes() / 20);
        assertThat(second.summary().addedBytes()).isLessThan(first.summary().addedBytes() / 20);
        // the manifest describes the database as it is now
        assertThat(digests(m2, DB)).isEqualTo(expected(m2));

        restoreInto(second.snapshotId(), "delta_restored");
        assertThat(digests(m2, "delta_restored")).isEqualTo(expected(m2));

        VerifyReport verified = new VerifyService(repository).verify(new VerifyRequest(null, true),
                ProgressListener.NONE);
        assertThat(verified.problems()).isEmpty();

        // a tenant restore from the patched snapshot: tenant 4 gained moved rows, tenant 3 lost them,
        // tenant 9 exists only in the patch
        for (String tenant : List.of("3", "4", "9")) {
            sql("postgres", "DROP DATABASE IF EXISTS delta_tenant WITH (FORCE)");
            new DatabaseRestoreService(repository, new InMemoryCatalog()).restoreScoped(new ScopedRestoreRequest(spec,
                    second.snapshotId(), null, tenant, null, null, EmbeddedPostgresServer.url("delta_tenant"),
                    "postgres", null, false, false, true), ProgressListener.NONE);
            assertThat(tenantItems("delta_tenant", tenant)).as("tenant " + tenant)
                    .isEqualTo(tenantItems(DB, tenant)).isNotEmpty();
        }

        // a third backup: the patch stays against the same base and holds every change since it
        change("UPDATE items SET note = 'third' WHERE id % 100 = 8", "DELETE FROM log WHERE id % 250 = 0");
        BackupResult.SourceResult third = backup(ProgressListener.NONE);
        DatabaseManifest m3 = manifest(third);
        assertThat(table(m3, "items").chunks()).isEqualTo(items1.chunks());
        assertThat(table(m3, "items").patchRows()).isGreaterThan(items2.patchRows());
        assertThat(third.summary().addedBytes()).isLessThan(first.summary().addedBytes() / 10);
        restoreInto(third.snapshotId(), "delta_restored");
        assertThat(digests(m3, "delta_restored")).isEqualTo(expected(m3)).isEqualTo(digests(m3, DB));
        // the earlier patched snapshot still restores as it was
        restoreInto(second.snapshotId(), "delta_restored");
        assertThat(digests(m2, "delta_restored")).isEqualTo(expected(m2));

        // without its cache a backup writes whole tables again (new bases), still equal
        deleteTree(cache);
        BackupResult.SourceResult fourth = backup(ProgressListener.NONE);
        DatabaseManifest m4 = manifest(fourth);
        assertThat(m4.tables()).noneMatch(DatabaseManifest.Table::patched);
        restoreInto(fourth.snapshotId(), "delta_restored");
        assertThat(digests(m4, "delta_restored")).isEqualTo(expected(m4)).isEqualTo(digests(m4, DB));
    }

    @Test
    @DisplayName("a backup killed after a table's new base was cached: the previous snapshot restores, the next backup is right")
    void killedBackup() throws Exception {
        backup(ProgressListener.NONE);
        change("UPDATE items SET qty = qty + 1 WHERE id % 100 = 7");
        BackupResult.SourceResult second = backup(ProgressListener.NONE);
        DatabaseManifest m2 = manifest(second);
        assertThat(table(m2, "items").patched()).isTrue();

        // the cache is gone, so the next run writes new bases and their caches; it dies after the
        // first table has finished (its new cache is in place), before any snapshot is saved
        deleteTree(cache);
        change("UPDATE items SET qty = qty + 1 WHERE id % 100 = 9", "DELETE FROM log WHERE id < 100");
        ProgressListener dies = new ProgressListener() {
            @Override
            public void advance(long bytes, long items) {
                if (items > 0) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> new BackupService(repository).backup(BackupRequest.of(List.of(spec)), dies))
                .hasMessageContaining("killed");
        // the process is gone: what it had not flushed is lost, the next one opens the repository anew
        repository = Repository.open(storage, "secret".toCharArray());
        assertThat(repository.snapshots()).hasSize(2);
        assertThat(Files.list(cache.resolve("pg-delta")).toList()).isNotEmpty();

        Snapshot latest = repository.snapshots().stream().max(java.util.Comparator.comparing(Snapshot::time))
                .orElseThrow();
        assertThat(latest.id()).isEqualTo(second.snapshotId());
        restoreInto(latest.id(), "delta_killed");
        assertThat(digests(m2, "delta_killed")).isEqualTo(expected(m2));

        // the next backup does not trust a cache whose base no snapshot lists
        BackupResult.SourceResult next = backup(ProgressListener.NONE);
        DatabaseManifest m3 = manifest(next);
        restoreInto(next.snapshotId(), "delta_killed");
        assertThat(digests(m3, "delta_killed")).isEqualTo(expected(m3)).isEqualTo(digests(m3, DB));
        // only the killed run's unflushed packs are left over, and nothing is damaged
        assertThat(new VerifyService(repository).verify(new VerifyRequest(null, true), ProgressListener.NONE)
                .problems()).allMatch(p -> p.severity() == VerifyReport.Severity.WARNING
                        && p.message().startsWith("unreferenced pack"));
    }

    @Test
    @DisplayName("a patch past a fifth of its base is replaced by a new base")
    void rebase() throws Exception {
        backup(ProgressListener.NONE);
        change("UPDATE items SET qty = qty + 1 WHERE id % 3 = 0");
        BackupResult.SourceResult second = backup(ProgressListener.NONE);
        DatabaseManifest m2 = manifest(second);
        assertThat(table(m2, "items").patched()).isFalse();
        restoreInto(second.snapshotId(), "delta_rebased");
        assertThat(digests(m2, "delta_rebased")).isEqualTo(expected(m2)).isEqualTo(digests(m2, DB));
        // the new base is the one the next patch refers to
        change("UPDATE items SET qty = qty + 1 WHERE id % 100 = 5");
        DatabaseManifest m3 = manifest(backup(ProgressListener.NONE));
        assertThat(table(m3, "items").patched()).isTrue();
        assertThat(table(m3, "items").chunks()).isEqualTo(table(m2, "items").chunks());
    }

    @Test
    @DisplayName("the snapshot that wrote a base is forgotten and pruned: the patched snapshot keeps its base and restores")
    void pruneKeepsBase() throws Exception {
        BackupResult.SourceResult first = backup(ProgressListener.NONE);
        change("UPDATE items SET qty = qty + 1 WHERE id % 100 = 7", "DELETE FROM items WHERE id % 1000 = 3");
        BackupResult.SourceResult second = backup(ProgressListener.NONE);
        DatabaseManifest m2 = manifest(second);
        assertThat(table(m2, "items").patched()).isTrue();
        repository.removeSnapshot(first.snapshotId());
        // no grace: packs no snapshot needs are deleted at once
        io.restorekit.retention.PruneResult pruned = new io.restorekit.retention.PruneService(repository,
                new InMemoryCatalog(), java.time.Clock.systemUTC())
                .prune(new io.restorekit.retention.PruneRequest(false, 0.0, java.time.Duration.ZERO),
                        ProgressListener.NONE);
        // the first snapshot's whole streams of the tables that changed are no longer needed
        assertThat(pruned.report().unusedBlobs()).isPositive();
        assertThat(pruned.report().usedBlobs()).isGreaterThanOrEqualTo(table(m2, "items").blobs().size());
        new io.restorekit.retention.PruneService(repository, new InMemoryCatalog(),
                java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofDays(2)))
                .prune(new io.restorekit.retention.PruneRequest(false, 0.0, java.time.Duration.ZERO),
                        ProgressListener.NONE);
        restoreInto(second.snapshotId(), "delta_pruned");
        assertThat(digests(m2, "delta_pruned")).isEqualTo(expected(m2));
        assertThat(new VerifyService(repository).verify(new VerifyRequest(null, true), ProgressListener.NONE)
                .problems()).noneMatch(p -> p.severity() == VerifyReport.Severity.ERROR);
    }

    /** One tenant's items, each row as text, in key order. */
    private static List<String> tenantItems(String db, String tenant) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = EmbeddedPostgresServer.connect(db); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT i::text FROM items i WHERE tenant_id = " + tenant + " ORDER BY id")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void sql(String db, String... statements) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect(db); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }
}
