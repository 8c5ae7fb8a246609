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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backup and restore times of a sample multi-tenant database (1 M invoices, 2 M items, indexes and
 * foreign keys). Run by hand: {@code ./mvnw -o test -Dtest=PostgresThroughputTest -Drk.pg.bench=true}.
 */
@EnabledIfSystemProperty(named = "rk.pg.bench", matches = "true")
class PostgresThroughputTest {
    @Test
    void sampleDatabase() throws Exception {
        String url = EmbeddedPostgresServer.freshDatabase("bench");
        long t0 = System.nanoTime();
        try (Connection c = EmbeddedPostgresServer.connect("bench"); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE companies (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL);
                    INSERT INTO companies SELECT g, g % 50, 'company ' || g FROM generate_series(1, 1000) g;
                    CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id int NOT NULL,
                      company_id int NOT NULL REFERENCES companies, issued timestamptz NOT NULL,
                      total numeric(14,2), note text);
                    INSERT INTO invoices SELECT g, g % 50, 1 + g % 1000, timestamptz '2024-01-01' + g * interval '31 seconds',
                      (g % 100000) / 100.0, CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || md5(g::text) END
                      FROM generate_series(1, 1000000) g;
                    CREATE INDEX invoices_tenant ON invoices (tenant_id, issued);
                    CREATE TABLE invoice_items (invoice_id bigint NOT NULL REFERENCES invoices, line int NOT NULL,
                      description text, amount numeric(12,2), PRIMARY KEY (invoice_id, line));
                    INSERT INTO invoice_items SELECT 1 + g / 2, g % 2, 'item ' || (g % 977), (g % 5000) / 10.0
                      FROM generate_series(0, 1999999) g;
                    ANALYZE;
                    """);
        }
        System.err.printf("BENCH generate: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        try (Repository repository = FilesFixtures.newRepository()) {
            PostgresSourceSpec spec = new PostgresSourceSpec("db", url, "postgres", null, null, "tenant_id",
                    List.of(), List.of(), 2, null);
            long b0 = System.nanoTime();
            BackupResult r = new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
            long backupMs = (System.nanoTime() - b0) / 1_000_000;
            assertThat(r.succeeded()).isTrue();
            BackupResult.SourceResult s = r.sources().get(0);
            System.err.printf("BENCH backup: %d ms, stream %d bytes, added %d, stored %d%n", backupMs,
                    s.summary().bytes(), s.summary().addedBytes(), s.summary().storedBytes());
            long b1 = System.nanoTime();
            BackupResult.SourceResult again = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                    ProgressListener.NONE).sources().get(0);
            System.err.printf("BENCH unchanged second backup: %d ms, added %d%n", (System.nanoTime() - b1) / 1_000_000,
                    again.summary().addedBytes());
            try (Connection c = EmbeddedPostgresServer.connect("postgres"); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS bench_restored WITH (FORCE)");
            }
            DatabaseRestoreResult restored = new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest(
                    "db", null, null, EmbeddedPostgresServer.url("bench_restored"), "postgres", null, 2, false, false),
                    ProgressListener.NONE);
            System.err.printf("BENCH restore: %d ms, phases %s%n", restored.durationMs(), restored.phases());
            long c0 = System.nanoTime();
            List<TableCheck> checks = TableCheck.compare(DatabaseManifest.load(repository,
                    repository.loadSnapshot(s.snapshotId()).tree()), new PgConnect(EmbeddedPostgresServer.url("bench_restored"),
                    "postgres", null, null));
            System.err.printf("BENCH digest check of restored tables: %d ms%n", (System.nanoTime() - c0) / 1_000_000);
            assertThat(checks).allSatisfy(t -> assertThat(t.equal()).isTrue());
        }
    }
}
