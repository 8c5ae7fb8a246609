package io.restorekit.source.mysql;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.TenantJoin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tables that reach their tenant through foreign keys are read without a join and find each
 * row's tenant on the client, in the keys their parent left: the rows each tenant gets must be
 * exactly those the server-side join gives, orphans, NULL keys and NULL tenants included.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlTenantLookupTest {
    static final String DB = "tl_src";
    Repository repository;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        EmbeddedMariaDbServer.freshDatabase(DB);
        try (Connection c = EmbeddedMariaDbServer.root(DB); Statement st = c.createStatement()) {
            // accounts hold the tenant (dense keys); projects (sparse, negative keys), tasks
            // (BIGINT UNSIGNED keys past 2^63) and comments reach it over one, two and three hops;
            // task_labels reaches it over a VARCHAR key and keeps the join.
            st.execute("CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, tenant_id INT NULL, name VARCHAR(50))");
            st.execute("CREATE TABLE projects (id BIGINT NOT NULL PRIMARY KEY, account_id INT NULL, name VARCHAR(50),"
                    + " CONSTRAINT fk_proj_acc FOREIGN KEY (account_id) REFERENCES accounts (id))");
            st.execute("CREATE TABLE tasks (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, project_id BIGINT NULL,"
                    + " title TEXT, CONSTRAINT fk_task_proj FOREIGN KEY (project_id) REFERENCES projects (id))");
            st.execute("CREATE TABLE comments (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, task_id BIGINT UNSIGNED"
                    + " NOT NULL, body VARCHAR(100), CONSTRAINT fk_comment_task FOREIGN KEY (task_id)"
                    + " REFERENCES tasks (id))");
            st.execute("CREATE TABLE labels (code VARCHAR(10) NOT NULL PRIMARY KEY, tenant_id INT NOT NULL)");
            st.execute("CREATE TABLE task_labels (task_id BIGINT UNSIGNED NOT NULL, code VARCHAR(10) NOT NULL,"
                    + " CONSTRAINT fk_tl_label FOREIGN KEY (code) REFERENCES labels (code))");
            st.execute("INSERT INTO accounts SELECT seq, IF(seq % 9 = 0, NULL, 1 + seq % 7), CONCAT('acc ', seq)"
                    + " FROM seq_1_to_50");
            st.execute("INSERT INTO projects SELECT IF(seq % 10 = 0, -seq, seq * 1000003), IF(seq % 13 = 0, NULL,"
                    + " 1 + seq % 50), CONCAT('project\\t', seq) FROM seq_1_to_200");
            st.execute("INSERT INTO tasks SELECT IF(seq % 2 = 0, 18446744073709551615 - seq * 3, seq),"
                    + " IF(seq % 17 = 0, NULL, IF((1 + seq % 200) % 10 = 0, -(1 + seq % 200), (1 + seq % 200)"
                    + " * 1000003)), IF(seq % 5 = 0, NULL, CONCAT('task 😀 ', seq)) FROM seq_1_to_1000");
            st.execute("INSERT INTO comments (task_id, body) SELECT IF(seq % 3 = 0, 18446744073709551615"
                    + " - (1 + seq % 500) * 6, 1 + (seq % 500) * 2), CONCAT('c', seq) FROM seq_1_to_2000");
            st.execute("INSERT INTO labels SELECT CONCAT('L', seq), 1 + seq % 7 FROM seq_1_to_20");
            st.execute("INSERT INTO task_labels SELECT seq, CONCAT('L', 1 + seq % 20) FROM seq_1_to_300");
            // rows whose parent is missing: the join gives them no tenant
            st.execute("SET foreign_key_checks = 0");
            st.execute("INSERT INTO projects VALUES (77, 999, 'orphan')");
            st.execute("INSERT INTO tasks VALUES (5000, 123456789, 'orphan task')");
            st.execute("INSERT INTO comments (task_id, body) VALUES (4999, 'orphan comment'),"
                    + " (18446744073709551615, 'max key')");
            st.execute("SET foreign_key_checks = 1");
        }
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    @Test
    @DisplayName("integer foreign keys to a dumped parent's primary key are looked up on the client, parents first")
    void plan() throws Exception {
        try (Connection c = new MySqlConnect(EmbeddedMariaDbServer.url(DB), "root", null, null).open()) {
            MySqlSchema.Result schema = MySqlSchema.read(c);
            Map<String, MySqlBackup.Lookup> lookups = MySqlBackup.lookups(DB, schema.tables(), joins(schema));
            assertThat(lookups.keySet()).containsExactlyInAnyOrder(DB + ".projects", DB + ".tasks", DB + ".comments");
            assertThat(lookups.get(DB + ".tasks")).isEqualTo(new MySqlBackup.Lookup(1, DB + ".projects", 0));
            List<String> order = MySqlBackup.parentsFirst(DB, schema.tables(), lookups).stream()
                    .map(MySqlSchema.TableInfo::name).toList();
            assertThat(order.indexOf("accounts")).isLessThan(order.indexOf("projects"));
            assertThat(order.indexOf("projects")).isLessThan(order.indexOf("tasks"));
            assertThat(order.indexOf("tasks")).isLessThan(order.indexOf("comments"));
        }
    }

    @ParameterizedTest(name = "jobs = {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("each tenant's stored rows are exactly the rows the server-side join gives it")
    void sameAsJoin(int jobs) throws Exception {
        assertSameAsJoin("tl" + jobs, jobs);
    }

    @ParameterizedTest(name = "jobs = {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("when the key maps' budget holds none of them, the children fall back to the join with the same rows per tenant")
    void keyMapsGivenUp(int jobs) throws Exception {
        MySqlBackup.keyMapBudget = 100;
        try {
            assertSameAsJoin("tlb" + jobs, jobs);
        } finally {
            MySqlBackup.keyMapBudget = -1;
        }
    }

    private void assertSameAsJoin(String name, int jobs) throws Exception {
        MySqlSourceSpec spec = new MySqlSourceSpec(name, EmbeddedMariaDbServer.url(DB), "root", null, null,
                null, List.of(), List.of(), jobs, null);
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
        DatabaseManifest m = DatabaseManifest.load(repository,
                repository.loadSnapshot(result.sources().get(0).snapshotId()).tree());
        Map<String, Map<String, List<String>>> expected = joined();
        for (String table : List.of("accounts", "projects", "tasks", "comments", "task_labels")) {
            DatabaseManifest.Table t = m.tables().stream().filter(x -> x.name().equals(table)).findFirst()
                    .orElseThrow();
            Map<String, List<String>> stored = stored(t);
            assertThat(stored).as(table).isEqualTo(expected.get(table));
            Map<String, Long> counts = new TreeMap<>();
            expected.get(table).forEach((tenant, rows) -> {
                if (!tenant.equals("\\N")) {
                    counts.put(tenant, (long) rows.size());
                }
            });
            assertThat(new TreeMap<>(t.tenantRows())).as(table).isEqualTo(counts);
        }
        // the lookups were exercised: rows with no tenant exist at every hop
        assertThat(expected.get("comments")).containsKey("\\N");
        assertThat(expected.get("tasks").keySet()).hasSizeGreaterThan(5);
    }

    @ParameterizedTest(name = "jobs = {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("rows committed while the backup runs are in every table of a chain or in none, with their tenant")
    void consistentUnderWrites(int jobs) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        String marker = "live" + jobs;
        Thread writer = new Thread(() -> {
            try (Connection c = EmbeddedMariaDbServer.root(DB); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                for (int i = 0; !stop.get(); i++) {
                    int account = 100_000 * jobs + i;
                    // one chain per transaction: account, project, task, comment
                    st.execute("INSERT INTO accounts VALUES (" + account + ", 3, '" + marker + "')");
                    st.execute("INSERT INTO projects VALUES (" + account + ", " + account + ", '" + marker + "')");
                    st.execute("INSERT INTO tasks VALUES (" + account + ", " + account + ", '" + marker + "')");
                    st.execute("INSERT INTO comments (task_id, body) VALUES (" + account + ", '" + marker + "')");
                    c.commit();
                    written.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "writer");
        writer.start();
        try {
            while (written.get() < 20) {
                Thread.sleep(5);
            }
            MySqlSourceSpec spec = new MySqlSourceSpec("tlw" + jobs, EmbeddedMariaDbServer.url(DB), "root", null,
                    null, null, List.of(), List.of(), jobs, null);
            BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(spec)),
                    ProgressListener.NONE);
            assertThat(result.sources().get(0).error()).isNull();
            stop.set(true);
            writer.join();
            DatabaseManifest m = DatabaseManifest.load(repository,
                    repository.loadSnapshot(result.sources().get(0).snapshotId()).tree());
            Map<String, Long> live = new TreeMap<>();
            for (String table : List.of("accounts", "projects", "tasks", "comments")) {
                DatabaseManifest.Table t = m.tables().stream().filter(x -> x.name().equals(table)).findFirst()
                        .orElseThrow();
                Map<String, List<String>> stored = stored(t);
                long count = stored.values().stream().flatMap(List::stream).filter(r -> r.endsWith(marker)).count();
                live.put(table, count);
                assertThat(stored.getOrDefault("\\N", List.of())).as(table).noneMatch(r -> r.endsWith(marker));
            }
            assertThat(live.values()).as("rows of the writer's chains per table: %s", live).containsOnly(
                    live.get("accounts"));
            assertThat(live.get("accounts")).isGreaterThanOrEqualTo(20);
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    /** Per table, tenant text ({@code \N} for none) to its sorted row lines, as the join reads them. */
    private Map<String, Map<String, List<String>>> joined() throws Exception {
        Map<String, Map<String, List<String>>> out = new HashMap<>();
        try (Connection c = new MySqlConnect(EmbeddedMariaDbServer.url(DB), "root", null, null).open()) {
            MySqlSchema.Result schema = MySqlSchema.read(c);
            Map<String, TenantJoin> joins = joins(schema);
            Map<String, MySqlSchema.TableInfo> tables = new HashMap<>();
            schema.tables().forEach(t -> tables.put(DB + "." + t.name(), t));
            for (MySqlSchema.TableInfo t : schema.tables()) {
                TenantJoin join = joins.get(DB + "." + t.name());
                if (join == null) {
                    continue;
                }
                MySqlSchema.TableInfo last = tables.get(join.via().isEmpty() ? DB + "." + t.name()
                        : join.via().get(join.via().size() - 1).references());
                Column key = last.columns().stream().filter(col -> col.name().equals(join.key())).findFirst()
                        .orElseThrow();
                RowEncoder encoder = new RowEncoder(t.columns());
                Map<String, List<String>> rows = new TreeMap<>();
                try (Statement st = c.createStatement();
                     ResultSet r = st.executeQuery(new JoinSql(join).dumpQuery(t.columns(), key))) {
                    while (r.next()) {
                        RowEncoder.Buf row = new RowEncoder.Buf();
                        encoder.encode(r, row);
                        RowEncoder.Buf tenant = new RowEncoder.Buf();
                        RowEncoder.field(r, encoder.size() + 1, key, tenant);
                        rows.computeIfAbsent(new String(tenant.data, 0, tenant.length, StandardCharsets.UTF_8),
                                k -> new ArrayList<>()).add(new String(row.data, 0, row.length - 1,
                                StandardCharsets.UTF_8));
                    }
                }
                rows.values().forEach(l -> l.sort(null));
                out.put(t.name(), rows);
            }
        }
        return out;
    }

    /** Per tenant ({@code \N} for rows without one), the sorted row lines of its chunks. */
    private Map<String, List<String>> stored(DatabaseManifest.Table t) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        int end = 0;
        for (Map.Entry<String, List<Integer>> e : t.tenantChunks().entrySet()) {
            out.put(e.getKey(), lines(t, e.getValue().get(0), e.getValue().get(1)));
            end = Math.max(end, e.getValue().get(1));
        }
        if (end < t.chunks().size()) {
            out.put("\\N", lines(t, end, t.chunks().size()));
        }
        return out;
    }

    private List<String> lines(DatabaseManifest.Table t, int from, int to) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append(new String(repository.loadBlob(BlobType.DATA, t.chunks().get(i)), StandardCharsets.UTF_8));
        }
        List<String> out = new ArrayList<>(List.of(text.toString().split("\n")));
        out.sort(null);
        return out;
    }

    private static Map<String, TenantJoin> joins(MySqlSchema.Result schema) {
        Map<String, List<String>> columns = new HashMap<>();
        Map<String, List<String>> keys = new HashMap<>();
        for (MySqlSchema.TableInfo t : schema.tables()) {
            columns.put(DB + "." + t.name(), t.columnNames());
            if (!t.primaryKey().isEmpty()) {
                keys.put(DB + "." + t.name(), t.primaryKey());
            }
        }
        return TenantJoin.resolve(columns, keys, schema.foreignKeys(), "tenant_id", null);
    }

    @Test
    @DisplayName("the key map answers like the join: dense and sparse keys, NULL tenants, missing keys, many tenants")
    void keyMap() {
        for (int tenants : new int[]{3, 300, 70_000}) {
            for (long stride : new long[]{1, 1_000_003}) {
                TenantKeys.Builder b = new TenantKeys.Builder(10, new TenantKeys.Budget(Long.MAX_VALUE));
                Map<Long, String> expected = new HashMap<>();
                for (int i = 0; i < 100_000; i++) {
                    long key = i * stride - 500;
                    String tenant = i % 11 == 0 ? "\\N" : "t" + (i * 7919L % tenants);
                    byte[] row = ("x\t" + tenant + "\n").getBytes(StandardCharsets.UTF_8);
                    b.add(key, row, 2, row.length - 1);
                    if (!tenant.equals("\\N")) {
                        expected.put(key, tenant);
                    }
                }
                TenantKeys keys = b.build();
                assertThat(keys.dense()).isEqualTo(stride == 1);
                assertThat(keys.size()).isEqualTo(expected.size());
                for (int i = -3; i < 100_003; i++) {
                    long key = i * stride - 500;
                    assertThat(new String(keys.tenant(key), StandardCharsets.UTF_8))
                            .isEqualTo(expected.getOrDefault(key, "\\N"));
                }
                assertThat(new String(keys.tenant(Long.MIN_VALUE), StandardCharsets.UTF_8)).isEqualTo("\\N");
                assertThat(new String(keys.tenant(Long.MAX_VALUE), StandardCharsets.UTF_8)).isEqualTo("\\N");
            }
        }
        byte[] big = "18446744073709551615".getBytes(StandardCharsets.US_ASCII);
        assertThat(TenantKeys.parse(big, 0, big.length)).isEqualTo(-1L);
        byte[] negative = "-42".getBytes(StandardCharsets.US_ASCII);
        assertThat(TenantKeys.parse(negative, 0, negative.length)).isEqualTo(-42L);
    }
}
