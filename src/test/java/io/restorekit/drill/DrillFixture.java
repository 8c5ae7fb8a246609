package io.restorekit.drill;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.storage.local.LocalStorage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A small multi-tenant database and a files tree, backed up into a folder repository. */
final class DrillFixture {
    static final char[] PASSWORD = "drill-secret".toCharArray();

    private DrillFixture() {
    }

    /** Creates database {@code name} on the shared test server with {@code invoices} rows. */
    static PostgresSourceSpec database(String name, int invoices) throws SQLException {
        String url = EmbeddedPostgresServer.freshDatabase(name);
        try (Connection c = EmbeddedPostgresServer.connect(name); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE companies (id int PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL UNIQUE,
                        owner_id int);
                    CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id int NOT NULL,
                        company_id int NOT NULL REFERENCES companies(id), number text NOT NULL,
                        amount numeric(12,2) NOT NULL CHECK (amount >= 0), issued date NOT NULL, note text);
                    CREATE INDEX invoices_issued ON invoices (tenant_id, issued);
                    CREATE TABLE invoice_items (invoice_id bigint NOT NULL REFERENCES invoices(id),
                        line int NOT NULL, sku text, qty int, PRIMARY KEY (invoice_id, line));
                    INSERT INTO companies SELECT g, g % 3 + 1, 'company ' || g, g FROM generate_series(1, 30) g;
                    """);
            st.execute("INSERT INTO invoices SELECT g, (g % 30 + 1) % 3 + 1, g % 30 + 1, 'INV-' || g,"
                    + " (g * 7919 % 100000) / 100.0, date '2026-01-01' + (g % 300), md5(g::text)"
                    + " FROM generate_series(1, " + invoices + ") g");
            st.execute("INSERT INTO invoice_items SELECT i, l, 'SKU-' || (i * l % 997), l FROM generate_series(1, "
                    + invoices + ") i, generate_series(1, 3) l");
            st.execute("ANALYZE");
        }
        return new PostgresSourceSpec("db", url, "postgres", null, null, "tenant_id", List.of(), List.of(), 2, null);
    }

    static FilesSourceSpec files(Path root, int count) throws IOException {
        Random random = new Random(11);
        for (int i = 0; i < count; i++) {
            Path f = root.resolve("tenant-" + (i % 3 + 1)).resolve("doc-" + i + ".bin");
            Files.createDirectories(f.getParent());
            byte[] bytes = new byte[1000 + random.nextInt(30_000)];
            random.nextBytes(bytes);
            Files.write(f, bytes);
        }
        return new FilesSourceSpec("uploads", root, List.of(), "tenant-{tenant}/**");
    }

    static Repository newRepository(Path dir) throws IOException {
        return Repository.init(LocalStorage.create(dir), PASSWORD,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20));
    }

    static Repository open(Path dir) throws IOException {
        return Repository.open(new LocalStorage(dir), PASSWORD);
    }

    static BackupResult backup(Repository repository, List<SourceSpec> sources) {
        BackupResult r = new BackupService(repository).backup(BackupRequest.of(sources), ProgressListener.NONE);
        assertThat(r.succeeded()).as(String.valueOf(r.sources())).isTrue();
        return r;
    }

    /** Live processes whose command line mentions {@code path}. */
    static List<ProcessHandle> processesUsing(Path path) {
        String p = path.toString();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(h -> h.info().commandLine().map(c -> c.contains(p)).orElse(false)).toList();
        }
    }
}
