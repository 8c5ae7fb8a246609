package io.restorekit.catalog;

import io.restorekit.source.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog contract on the JDBC catalog, migrated by Flyway on H2 and on PostgreSQL, and on the in-memory one. */
class JdbcCatalogTest {
    static final Instant T0 = Instant.parse("2026-11-01T03:00:00.123456Z");
    static final Actor ALICE = new Actor("alice", "srv1", "dr-db", "0123abcd");

    /** What every catalog must do; each implementation says how to make one. */
    abstract static class Contract {
        abstract Catalog catalog() throws Exception;

        @Test
        @DisplayName("records a run, updates it when it ends, and reads it back field for field")
        void runsRoundTrip() throws Exception {
            try (Catalog c = catalog()) {
                Run begun = Run.begin(RunKind.BACKUP, "db", "primary", T0);
                Run stored = c.record(begun);
                assertThat(stored.id()).isPositive();
                Run ended = stored.withSnapshot("ab".repeat(32)).ended(T0.plusSeconds(42), RunStatus.SUCCEEDED, null)
                        .withVolumes(1000, 200, 150, 7, 12345).withDetails("{\"tables\":3}");
                c.update(ended);
                assertThat(c.run(stored.id())).contains(ended);
                assertThat(c.run(stored.id()).orElseThrow().duration().getSeconds()).isEqualTo(42);
            }
        }

        @Test
        @DisplayName("lists runs newest first, filtered by kind, source and time, limited")
        void queries() throws Exception {
            try (Catalog c = catalog()) {
                for (int i = 0; i < 5; i++) {
                    c.record(new Run(0, i % 2 == 0 ? RunKind.BACKUP : RunKind.VERIFY, i % 2 == 0 ? "db" : null,
                            null, "primary", T0.plusSeconds(60L * i), null, RunStatus.RUNNING, null, 0, 0, 0, 0, 0,
                            null, ALICE));
                }
                assertThat(c.runs(RunQuery.ALL)).extracting(Run::started)
                        .containsExactly(T0.plusSeconds(240), T0.plusSeconds(180), T0.plusSeconds(120),
                                T0.plusSeconds(60), T0);
                assertThat(c.runs(RunQuery.of(RunKind.BACKUP))).hasSize(3).allMatch(r -> r.source().equals("db"));
                assertThat(c.runs(new RunQuery(null, "db", T0.plusSeconds(100), 0))).hasSize(2);
                assertThat(c.runs(new RunQuery(null, null, null, 2))).hasSize(2);
                assertThat(c.runs(RunQuery.ALL).get(0).actor()).isEqualTo(ALICE);
            }
        }

        @Test
        @DisplayName("keeps the audit trail with the actor's runbook and commit")
        void audit() throws Exception {
            try (Catalog c = catalog()) {
                c.audit(new AuditEntry(0, T0, ALICE, "backup --source db", "ok", 0, null));
                AuditEntry denied = c.audit(new AuditEntry(0, T0.plusSeconds(1), ALICE, "prune", "NOT_PERMITTED", 7,
                        "user 'alice' may not prune"));
                assertThat(denied.id()).isPositive();
                List<AuditEntry> all = c.audits(null, 0);
                assertThat(all).extracting(AuditEntry::command).containsExactly("prune", "backup --source db");
                assertThat(all.get(0)).isEqualTo(denied);
                assertThat(c.audits(T0.plusSeconds(1), 0)).hasSize(1);
                assertThat(c.audits(null, 1)).hasSize(1);
            }
        }

        @Test
        @DisplayName("keeps alerts open until they clear")
        void alerts() throws Exception {
            try (Catalog c = catalog()) {
                AlertRecord opened = c.saveAlert(new AlertRecord(0, "stale:db", "STALE", "db", "critical",
                        "no backup for 2 days", T0, T0, null));
                assertThat(c.openAlert("stale:db")).contains(opened);
                c.saveAlert(opened.seen(T0.plusSeconds(60), "no backup for 3 days"));
                assertThat(c.openAlert("stale:db").orElseThrow().message()).isEqualTo("no backup for 3 days");
                c.saveAlert(c.openAlert("stale:db").orElseThrow().clearedAt(T0.plusSeconds(120)));
                assertThat(c.openAlert("stale:db")).isEmpty();
                assertThat(c.alerts(null, false)).hasSize(1);
                assertThat(c.alerts(null, true)).isEmpty();
                assertThat(c.alerts(T0.plusSeconds(121), false)).isEmpty();
            }
        }
    }

    @Nested
    @DisplayName("in memory")
    class InMemory extends Contract {
        @Override
        Catalog catalog() {
            return new InMemoryCatalog();
        }
    }

    @Nested
    @DisplayName("JDBC on an H2 file")
    class H2 extends Contract {
        @TempDir
        Path dir;

        @Override
        Catalog catalog() {
            return JdbcCatalog.open("jdbc:h2:file:" + dir.resolve("home/catalog"), null, null);
        }

        @Test
        @DisplayName("many short operations in a row, from two catalog objects on the same file")
        void manyOperations() {
            String url = "jdbc:h2:file:" + dir.resolve("home/catalog");
            JdbcCatalog a = JdbcCatalog.open(url, null, null);
            a.saveAlert(new AlertRecord(0, "stale:db", "STALE", "db", "critical", "m", T0, T0, null));
            JdbcCatalog b = JdbcCatalog.open(url, null, null);
            for (int i = 0; i < 30; i++) {
                assertThat(b.openAlert("disk:source files " + i)).isEmpty();
                assertThat(a.alerts(null, true)).hasSize(1);
            }
        }

        @Test
        @DisplayName("closes the file without compacting it in place, rewrites it when mostly empty, and loses no run")
        void boundedWithoutCompactingOnClose() throws Exception {
            String url = "jdbc:h2:file:" + dir.resolve("home/catalog");
            assertThat(JdbcCatalog.connectUrl(url)).isEqualTo(url + ";MAX_COMPACT_TIME=0");
            assertThat(JdbcCatalog.connectUrl(url + ";max_compact_time=50")).isEqualTo(url + ";max_compact_time=50");
            assertThat(JdbcCatalog.connectUrl("jdbc:postgresql://db/rk")).isEqualTo("jdbc:postgresql://db/rk");
            Path file = dir.resolve("home/catalog.mv.db");
            String details = "{\"tables\":[" + "{\"table\":\"public.invoices\",\"rows\":50000},".repeat(40) + "{}]}";
            long largest = 0;
            for (int i = 0; i < 150; i++) {
                // what one rk process does: open, record a run, end it, audit the command; the file closes
                JdbcCatalog c = JdbcCatalog.open(url, null, null);
                Run run = c.record(Run.begin(RunKind.RESTORE, "db", "primary", T0.plusSeconds(i)));
                c.update(run.ended(T0.plusSeconds(i + 1), RunStatus.SUCCEEDED, null).withDetails(details));
                c.audit(new AuditEntry(0, T0.plusSeconds(i), ALICE, "restore --tenant " + i, "SUCCEEDED", 0, null));
                largest = Math.max(largest, Files.size(file));
            }
            JdbcCatalog reopened = JdbcCatalog.open(url, null, null);
            assertThat(reopened.runs(RunQuery.ALL)).hasSize(150).allMatch(r -> r.status() == RunStatus.SUCCEEDED
                    && details.equals(r.details()));
            assertThat(reopened.audits(null, 0)).hasSize(150);
            // live data is about 300 KB; closed without any compaction the file passes 10 MB
            assertThat(largest).as("largest catalog file over 150 runs").isLessThan(3L << 20);
        }

        private static long sessions(String url) throws Exception {
            try (Connection c = DriverManager.getConnection(url);
                 ResultSet rs = c.createStatement().executeQuery("select count(*) from information_schema.sessions")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        @Test
        @DisplayName("a hold keeps the database open across calls, nests, commits each call, and lets it close when released")
        void hold() throws Exception {
            String url = "jdbc:h2:file:" + dir.resolve("home/catalog");
            JdbcCatalog catalog = JdbcCatalog.open(url, null, null);
            assertThat(sessions(url)).isEqualTo(1);
            Run stored;
            try (Catalog.Held outer = catalog.hold()) {
                stored = catalog.record(Run.begin(RunKind.BACKUP, "db", "primary", T0));
                Catalog.Held inner = catalog.hold();
                catalog.update(stored.ended(T0.plusSeconds(5), RunStatus.SUCCEEDED, null));
                assertThat(sessions(url)).isEqualTo(2);
                inner.close();
                inner.close();
                assertThat(sessions(url)).as("the outer hold still keeps it open").isEqualTo(2);
                // another catalog object on the file sees each call committed
                assertThat(JdbcCatalog.open(url, null, null).run(stored.id()).orElseThrow().status())
                        .isEqualTo(RunStatus.SUCCEEDED);
            }
            assertThat(sessions(url)).as("released: only the counting connection").isEqualTo(1);
            assertThat(catalog.run(stored.id()).orElseThrow().ended()).isEqualTo(T0.plusSeconds(5));
        }

        @Test
        @DisplayName("migrates once: the second open finds the schema current, and the file is free between operations")
        void migratesOnce() throws Exception {
            String url = "jdbc:h2:file:" + dir.resolve("home/catalog");
            JdbcCatalog first = JdbcCatalog.open(url, null, null);
            assertThat(Files.exists(dir.resolve("home/catalog.mv.db"))).isTrue();
            first.record(Run.begin(RunKind.VERIFY, null, "primary", T0));
            assertThat(first.migrate()).isZero();
            JdbcCatalog second = JdbcCatalog.open(url, null, null);
            assertThat(second.runs(RunQuery.ALL)).hasSize(1);
            try (Connection c = DriverManager.getConnection(url);
                 ResultSet rs = c.createStatement().executeQuery(
                         "select max(\"version\") from \"rk_schema_history\" where \"success\" = true")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(JdbcCatalog.SCHEMA_VERSION);
            }
        }
    }

    @Nested
    @DisplayName("JDBC on PostgreSQL")
    class Postgres extends Contract {
        @Override
        Catalog catalog() {
            String url = EmbeddedPostgresServer.freshDatabase("rk_catalog");
            return JdbcCatalog.open(url, "postgres", "");
        }

        @Test
        @DisplayName("an unreachable catalog is exit 6 naming the URL")
        void unreachable() {
            assertThatThrownBy(() -> JdbcCatalog.open("jdbc:postgresql://127.0.0.1:1/none", "postgres", ""))
                    .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/none")
                    .hasMessageContaining("catalog.url");
        }
    }

    @Test
    @DisplayName("the spool moves entries recorded while the catalog was closed into it when it opens")
    void spool(@TempDir Path dir) {
        InMemoryCatalog target = new InMemoryCatalog();
        LazyCatalog lazy = new LazyCatalog(() -> target, new AuditSpool(dir.resolve("audit.spool")));
        lazy.audit(new AuditEntry(0, T0, ALICE, "snapshots --json", "ok", 0, null));
        lazy.audit(new AuditEntry(0, T0.plusSeconds(1), new Actor("bob", "h", null, null), "key add", "FAILED", 1,
                "line one\nline two with spaces and %"));
        assertThat(lazy.isOpen()).isFalse();
        assertThat(target.audits(null, 0)).isEmpty();
        assertThat(lazy.audits(null, 0)).extracting(AuditEntry::command).containsExactly("key add", "snapshots --json");
        assertThat(lazy.audits(null, 0).get(0).message()).isEqualTo("line one\nline two with spaces and %");
        assertThat(lazy.audits(null, 0).get(1).actor()).isEqualTo(ALICE);
        lazy.audit(new AuditEntry(0, T0.plusSeconds(2), ALICE, "status", "ok", 0, null));
        assertThat(target.audits(null, 0)).hasSize(3);
    }

    @Test
    @DisplayName("deferred audit entries are spooled while the catalog is open, and read back by whoever asks")
    void deferredAudits(@TempDir Path dir) {
        InMemoryCatalog target = new InMemoryCatalog();
        AuditSpool spool = new AuditSpool(dir.resolve("audit.spool"));
        LazyCatalog lazy = new LazyCatalog(() -> target, spool);
        lazy.deferAudits();
        lazy.open();
        lazy.audit(new AuditEntry(0, T0, ALICE, "backup", "ok", 0, null));
        assertThat(target.audits(null, 0)).isEmpty();
        assertThat(dir.resolve("audit.spool")).isNotEmptyFile();

        // another process's catalog, open before the entry was spooled, moves it in when asked
        LazyCatalog other = new LazyCatalog(() -> target, spool);
        other.open();
        spool.append(new AuditEntry(0, T0.plusSeconds(1), ALICE, "restore --file a", "ok", 0, null));
        assertThat(other.audits(null, 0)).extracting(AuditEntry::command)
                .containsExactly("restore --file a", "backup");
        assertThat(dir.resolve("audit.spool")).isEmptyFile();
        assertThat(other.audits(null, 0)).hasSize(2);
    }
}
