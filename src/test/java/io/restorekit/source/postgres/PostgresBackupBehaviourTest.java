package io.restorekit.source.postgres;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.files.FilesFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresBackupBehaviourTest {
    Repository repository;

    @BeforeEach
    void open() throws IOException {
        repository = FilesFixtures.newRepository();
    }

    @AfterEach
    void close() throws IOException {
        repository.close();
    }

    private static PostgresSourceSpec spec(String url, String user, int jobs) {
        return new PostgresSourceSpec("db", url, user, null, null, "tenant_id", List.of(), List.of(), jobs, null);
    }

    private BackupResult.SourceResult backup(PostgresSourceSpec spec) {
        return new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE)
                .sources().get(0);
    }

    private static void sql(String db, String... statements) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect(db); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static long number(String db, String query) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect(db); Statement st = c.createStatement();
             ResultSet r = st.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    @DisplayName("writes during the backup: the restored database is one consistent moment")
    void concurrentWrites() throws Exception {
        String url = EmbeddedPostgresServer.freshDatabase("busy");
        sql("busy",
                "CREATE TABLE filler (id int PRIMARY KEY, tenant_id int, pad text)",
                "INSERT INTO filler SELECT g, g % 4, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 150000) g",
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 100) g",
                "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int, amount bigint)",
                "CREATE TABLE ledger_count (n bigint NOT NULL)",
                "INSERT INTO ledger_count VALUES (0)");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        Thread writer = new Thread(() -> {
            Random random = new Random(7);
            try (Connection c = EmbeddedPostgresServer.connect("busy")) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    while (!stop.get()) {
                        int from = 1 + random.nextInt(100);
                        int to = 1 + random.nextInt(100);
                        int amount = 1 + random.nextInt(10);
                        st.execute("UPDATE accounts SET balance = balance - " + amount + " WHERE id = " + from);
                        st.execute("INSERT INTO ledger (account, amount) VALUES (" + from + ", " + amount + ")");
                        st.execute("UPDATE accounts SET balance = balance + " + amount + " WHERE id = " + to);
                        st.execute("UPDATE ledger_count SET n = n + 1");
                        c.commit();
                        commits.incrementAndGet();
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        while (commits.get() < 50) {
            Thread.sleep(5);
        }
        long before = commits.get();
        BackupResult.SourceResult result = backup(spec(url, "postgres", 2));
        long during = commits.get() - before;
        stop.set(true);
        writer.join();
        assertThat(result.error()).isNull();
        assertThat(during).as("transactions committed while the backup ran").isPositive();

        sql("postgres", "DROP DATABASE IF EXISTS busy_restored WITH (FORCE)");
        new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("db", null, null,
                EmbeddedPostgresServer.url("busy_restored"), "postgres", null, 2, false, false), ProgressListener.NONE);
        assertThat(number("busy_restored", "SELECT sum(balance) FROM accounts")).isEqualTo(10_000);
        long ledger = number("busy_restored", "SELECT count(*) FROM ledger");
        assertThat(ledger).isPositive().isEqualTo(number("busy_restored", "SELECT n FROM ledger_count"));
        assertThat(number("busy_restored", "SELECT count(*) FROM filler")).isEqualTo(150_000);
        // The sequence was captured with the same snapshot's rows or later: new inserts never collide.
        sql("busy_restored", "INSERT INTO ledger (account, amount) VALUES (1, 1)");
    }

    @Test
    @DisplayName("a second backup after a few recent changes of two tenants adds a small fraction of the first")
    void secondBackupAddsLittle() throws Exception {
        String url = EmbeddedPostgresServer.freshDatabase("daily");
        sql("daily",
                // no autovacuum: a vacuum between the backups would let the new row versions fill
                // free space anywhere in the table instead of its tail, as this test assumes
                "CREATE TABLE archive (id int PRIMARY KEY, body text) WITH (autovacuum_enabled = false)",
                "INSERT INTO archive SELECT g, md5(g::text) || ' archived' FROM generate_series(1, 200000) g",
                "CREATE TABLE invoices (id int PRIMARY KEY, tenant_id int, body text) WITH (autovacuum_enabled = false)",
                "INSERT INTO invoices SELECT g, g % 10, md5(g::text) || ' ' || md5((g + 1)::text) || ' ' || g"
                        + " FROM generate_series(1, 150000) g");
        BackupResult.SourceResult first = backup(spec(url, "postgres", 2));
        // Streams of tables with a tenant column are grouped by tenant and chunked per tenant (so a
        // tenant restore reads only its chunks): changes cost chunks of the tenants they touch, here 2 of 10.
        sql("daily",
                "INSERT INTO invoices SELECT g, 1 + g % 2, 'new ' || g FROM generate_series(150001, 150200) g",
                "UPDATE invoices SET body = 'changed' WHERE id > 149900 AND tenant_id IN (1, 2)");
        BackupResult.SourceResult second = backup(spec(url, "postgres", 2));
        assertThat(first.error()).isNull();
        assertThat(second.error()).isNull();
        assertThat(second.parentId()).isEqualTo(first.snapshotId());
        // Unchanged tables add nothing; a changed table adds the chunks around its changes (the
        // tail here, where new rows and new row versions go).
        DatabaseManifest m = DatabaseManifest.load(repository, repository.loadSnapshot(second.snapshotId()).tree());
        assertThat(m.tables()).filteredOn(t -> t.name().equals("archive"))
                .singleElement().satisfies(t -> assertThat(t.addedBytes()).isZero());
        // Each repository has its own secret chunker table, so where the tail chunks start varies
        // from run to run: with ~1 MiB chunks of this ~21 MB dump, the changed tail costs a few
        // of them, never a third of the whole.
        assertThat(second.summary().addedBytes()).isLessThan(first.summary().addedBytes() / 3);
    }

    @Test
    @DisplayName("an unreachable server fails the source with exit 6 and names the URL")
    void unreachable() {
        BackupResult.SourceResult r = backup(spec("jdbc:postgresql://127.0.0.1:1/app", "postgres", 1));
        assertThat(r.errorCode()).isEqualTo(ErrorCode.UNREACHABLE);
        assertThat(r.error()).contains("127.0.0.1:1").contains("reachable");
    }

    @Test
    @DisplayName("an unknown role and a role without SELECT fail with exit 1 and say what to check")
    void credentialsAndPrivileges() throws Exception {
        String url = EmbeddedPostgresServer.freshDatabase("guarded");
        sql("guarded", "CREATE TABLE secret (id int)", "DROP ROLE IF EXISTS weak", "CREATE ROLE weak LOGIN");
        BackupResult.SourceResult unknown = backup(spec(url, "no_such_role", 1));
        assertThat(unknown.errorCode()).isEqualTo(ErrorCode.FAILED);
        assertThat(unknown.error()).contains("refused user 'no_such_role'").contains("check the username");

        BackupResult.SourceResult weak = backup(spec(url, "weak", 1));
        assertThat(weak.errorCode()).isEqualTo(ErrorCode.FAILED);
        assertThat(weak.error()).contains("user 'weak' lacks a privilege").contains("secret");
        assertThat(repository.snapshots()).isEmpty();
    }
}
