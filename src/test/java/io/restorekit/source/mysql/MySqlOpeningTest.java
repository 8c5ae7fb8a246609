package io.restorekit.source.mysql;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.ForwardingStorage;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A backup's connections opened ahead ({@link MySqlBackup.Opening}), while the repository still
 * opens: the backup holds the database as it was when they opened, and closes them. And tables
 * read back to back on one connection, the last chunks of one stored while the next is read.
 */
class MySqlOpeningTest {

    @Test
    @DisplayName("a backup of connections opened ahead holds the database as of their opening, and closes them")
    void snapshotIsTheOpening() throws Exception {
        String url = EmbeddedMariaDbServer.freshDatabase("open_ahead");
        try (Connection c = EmbeddedMariaDbServer.root("open_ahead"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE accounts (id INT PRIMARY KEY, tenant_id INT NOT NULL, name VARCHAR(40))");
            st.execute("CREATE TABLE entries (id INT PRIMARY KEY, account_id INT NOT NULL, amount DECIMAL(10,2),"
                    + " FOREIGN KEY (account_id) REFERENCES accounts (id))");
            st.execute("INSERT INTO accounts SELECT seq, 1 + seq % 4, CONCAT('account ', seq) FROM seq_1_to_40");
            st.execute("INSERT INTO entries SELECT seq, 1 + seq % 40, seq / 4 FROM seq_1_to_5000");
        }
        MySqlSourceSpec spec = MySqlSourceSpec.of("ahead", url, EmbeddedMariaDbServer.USER,
                EmbeddedMariaDbServer.PASSWORD);
        try (Repository repository = FilesFixtures.newRepository()) {
            MySqlBackup.Opening opening = MySqlBackup.Opening.start(spec);
            MySqlBackup.Opened opened = opening.take();
            // committed after the snapshot started: not in the backup
            try (Connection c = EmbeddedMariaDbServer.root("open_ahead"); Statement st = c.createStatement()) {
                st.execute("INSERT INTO entries SELECT 5000 + seq, 1, 9.99 FROM seq_1_to_700");
                st.execute("UPDATE accounts SET name = 'renamed' WHERE id = 7");
            }
            MySqlBackup.Result ahead = new MySqlBackup(repository).backup(spec, opening, ProgressListener.NONE);
            assertThat(rows(ahead)).containsEntry("open_ahead.entries", 5000L)
                    .containsEntry("open_ahead.accounts", 40L);
            for (Connection c : opened.connections()) {
                assertThat(c.isClosed()).as("the backup closed the connections opened for it").isTrue();
            }
            opening.close();

            MySqlBackup.Result now = new MySqlBackup(repository).backup(spec, ProgressListener.NONE);
            assertThat(rows(now)).containsEntry("open_ahead.entries", 5700L);
            DatabaseManifest.Table before = table(ahead, "open_ahead.accounts");
            DatabaseManifest.Table after = table(now, "open_ahead.accounts");
            assertThat(after.digest()).as("the rename is in the later backup only").isNotEqualTo(before.digest());
            assertThat(before.tenantRows()).isEqualTo(Map.of("1", 10L, "2", 10L, "3", 10L, "4", 10L));
        }
    }

    @Test
    @DisplayName("an opening that fails is the backup's failure, with the same message as opening in the backup")
    void failedOpening() throws Exception {
        MySqlSourceSpec spec = MySqlSourceSpec.of("gone", "jdbc:mariadb://127.0.0.1:1/nothing", "rk", "x");
        try (Repository repository = FilesFixtures.newRepository()) {
            RkException inline = null;
            try {
                new MySqlBackup(repository).backup(spec, ProgressListener.NONE);
            } catch (RkException e) {
                inline = e;
            }
            assertThat(inline).isNotNull();
            assertThat(inline.code()).isEqualTo(ErrorCode.UNREACHABLE);
            MySqlBackup.Opening opening = MySqlBackup.Opening.start(spec);
            String message = inline.getMessage();
            assertThatThrownBy(() -> new MySqlBackup(repository).backup(spec, opening, ProgressListener.NONE))
                    .isInstanceOfSatisfying(RkException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNREACHABLE);
                        assertThat(e.getMessage()).isEqualTo(message);
                    });
            opening.close();
            assertThat(repository.snapshots()).isEmpty();
        }
    }

    @Test
    @DisplayName("a storage failing while tables are read back to back fails the backup with its error, no snapshot")
    void storageFailsBetweenTables() throws Exception {
        String url = EmbeddedMariaDbServer.freshDatabase("open_full");
        try (Connection c = EmbeddedMariaDbServer.root("open_full"); Statement st = c.createStatement()) {
            for (String table : List.of("a", "b", "c")) {
                st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, tenant_id INT NOT NULL, body TEXT)");
                st.execute("INSERT INTO " + table + " SELECT seq, 1 + seq % 5, CONCAT(MD5(seq), SHA2(CONCAT('"
                        + table + "', seq), 256)) FROM seq_1_to_40000");
            }
        }
        MySqlSourceSpec spec = MySqlSourceSpec.of("full", url, EmbeddedMariaDbServer.USER,
                EmbeddedMariaDbServer.PASSWORD);
        InMemoryStorage inner = new InMemoryStorage();
        char[] password = "secret".toCharArray();
        RepositoryOptions options = new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20);
        Repository.init(inner, password, options).close();
        AtomicInteger packs = new AtomicInteger();
        Storage filling = new ForwardingStorage(inner) {
            @Override
            public void save(Handle h, Payload p) throws IOException {
                if (h.kind() == Kind.PACK && packs.incrementAndGet() > 3) {
                    throw new IOException("No space left on device");
                }
                super.save(h, p);
            }
        };
        try (Repository repository = Repository.open(filling, password)) {
            BackupResult result = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> new BackupService(repository)
                    .backup(new BackupRequest(List.of(spec), List.of(), null, null, null), ProgressListener.NONE));
            assertThat(result.sources().get(0).error()).contains("No space left on device");
            assertThat(result.sources().get(0).snapshotId()).isNull();
        }
        assertThat(packs.get()).as("the tables needed more packs than the storage took").isGreaterThan(3);
        try (Repository reopened = Repository.open(inner, password)) {
            assertThat(reopened.snapshots()).isEmpty();
        }
    }

    private static Map<String, Long> rows(MySqlBackup.Result r) {
        return r.content().tables().stream().collect(Collectors.toMap(DatabaseManifest.Table::qualifiedName,
                DatabaseManifest.Table::rows));
    }

    private static DatabaseManifest.Table table(MySqlBackup.Result r, String name) {
        return r.content().tables().stream().collect(Collectors.toMap(DatabaseManifest.Table::qualifiedName,
                Function.identity())).get(name);
    }
}
