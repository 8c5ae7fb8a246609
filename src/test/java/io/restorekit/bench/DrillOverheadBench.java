package io.restorekit.bench;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ProgressListener;
import io.restorekit.drill.DrillReport;
import io.restorekit.drill.DrillRequest;
import io.restorekit.drill.DrillService;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a drill costs over a plain full restore of the same snapshot into the same server
 * (measured, not asserted): run explicitly with
 * {@code ./mvnw -o -q test -Dtest=DrillOverheadBench -Dbench.invoices=300000}. Prints one line per run.
 */
class DrillOverheadBench {
    @TempDir
    Path tmp;

    @Test
    void overhead() throws Exception {
        int invoices = Integer.getInteger("bench.invoices", 300_000);
        String url = EmbeddedPostgresServer.freshDatabase("bench_saas");
        try (Connection c = EmbeddedPostgresServer.connect("bench_saas"); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE companies (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL UNIQUE);
                    CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id int NOT NULL,
                        company_id int NOT NULL REFERENCES companies(id), number text NOT NULL,
                        amount numeric(12,2) NOT NULL CHECK (amount >= 0), issued date NOT NULL, note text);
                    CREATE INDEX invoices_issued ON invoices (tenant_id, issued);
                    CREATE TABLE invoice_items (invoice_id bigint NOT NULL REFERENCES invoices(id), line int NOT NULL,
                        tenant_id int NOT NULL, sku text, qty int, PRIMARY KEY (invoice_id, line));
                    INSERT INTO companies SELECT g, g % 50, 'company ' || g FROM generate_series(1, 500) g;
                    """);
            st.execute("INSERT INTO invoices SELECT g, (g % 500 + 1) % 50, g % 500 + 1, 'INV-' || g,"
                    + " (g::bigint * 7919 % 100000) / 100.0, date '2026-01-01' + (g % 300), md5(g::text)"
                    + " FROM generate_series(1, " + invoices + ") g");
            st.execute("INSERT INTO invoice_items SELECT i, l, (i % 500 + 1) % 50, 'SKU-' || (i::bigint * l % 997), l"
                    + " FROM generate_series(1, " + invoices + ") i, generate_series(1, 3) l");
            st.execute("VACUUM ANALYZE");
        }
        PostgresSourceSpec spec = new PostgresSourceSpec("saas", url, "postgres", null, null, "tenant_id", List.of(),
                List.of(), 2, null);
        try (Repository r = Repository.init(LocalStorage.create(tmp.resolve("repo")), "bench".toCharArray(),
                RepositoryOptions.defaults())) {
            assertThat(new BackupService(r).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE).succeeded())
                    .isTrue();
            String server = EmbeddedPostgresServer.url("postgres");
            for (int round = 1; round <= 2; round++) {
                EmbeddedPostgresServer.drop(EmbeddedPostgresServer.get(), "bench_restore");
                long t0 = System.nanoTime();
                new DatabaseRestoreService(r).restore(new DatabaseRestoreRequest("saas", null, null,
                        EmbeddedPostgresServer.url("bench_restore"), "postgres", null, 2, false, false),
                        ProgressListener.NONE);
                long restore = (System.nanoTime() - t0) / 1_000_000;
                EmbeddedPostgresServer.drop(EmbeddedPostgresServer.get(), "bench_restore");

                t0 = System.nanoTime();
                DrillReport jdbc = new DrillService(r, new InMemoryCatalog(), tmp.resolve("home"), Clock.systemUTC())
                        .run(new DrillRequest(List.of(spec), null, null, server, "postgres", null, false, null,
                                List.of(), 0, 0, null), ProgressListener.NONE);
                long drill = (System.nanoTime() - t0) / 1_000_000;
                assertThat(jdbc.status()).isEqualTo(RunStatus.SUCCEEDED);

                t0 = System.nanoTime();
                DrillReport embedded = new DrillService(r, new InMemoryCatalog(), tmp.resolve("home"),
                        Clock.systemUTC()).run(new DrillRequest(List.of(spec), null, null, "embedded", null, null,
                        false, null, List.of(), 0, 0, null), ProgressListener.NONE);
                long drillEmbedded = (System.nanoTime() - t0) / 1_000_000;
                assertThat(embedded.status()).isEqualTo(RunStatus.SUCCEEDED);
                System.out.println(String.format(Locale.ROOT, "BENCH round %d rows %d: full restore %d ms; drill"
                                + " (same server) %d ms total, %d ms restore, overhead %.1f%%; drill (embedded) %d ms"
                                + " total, %d ms restore incl. server start", round, invoices * 4L + 500, restore,
                        drill, jdbc.restoreMs(), 100.0 * (drill - restore) / restore, drillEmbedded,
                        embedded.restoreMs()));
            }
        }
    }
}
