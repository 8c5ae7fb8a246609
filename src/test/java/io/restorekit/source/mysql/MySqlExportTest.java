package io.restorekit.source.mysql;

import com.github.luben.zstd.ZstdInputStream;
import io.restorekit.archive.ExportRequest;
import io.restorekit.archive.ExportResult;
import io.restorekit.archive.ExportService;
import io.restorekit.archive.OpenPgp;
import io.restorekit.archive.StandardTools;
import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.ManifestEdits;
import io.restorekit.source.postgres.TableCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The offline export of a MySQL/MariaDB snapshot is a script the {@code mariadb} client loads on its
 * own: into a new database it gives every object's {@code SHOW CREATE} text and every table's rows
 * and digest back, and a sequence that goes on past the source's values. The awkward schema and data of the round trip, plus a table of many rows cut
 * into several statements and a row of 3 MB that is a statement of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlExportTest {
    private static final char[] PASSPHRASE = "export passphrase".toCharArray();
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    @TempDir
    static Path tmp;
    Repository repository;
    String snapshot;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        String url = EmbeddedMariaDbServer.freshDatabase("ex_src");
        AwkwardMySql.create("ex_src", 30);
        try (Connection c = EmbeddedMariaDbServer.root("ex_src"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE bulk (id INT NOT NULL PRIMARY KEY, label VARCHAR(200), payload MEDIUMBLOB)");
            Random random = new Random(7);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bulk VALUES (?, ?, ?)")) {
                for (int i = 0; i < 4000; i++) {
                    byte[] payload = new byte[i == 1234 ? 3_000_000 : random.nextInt(600)];
                    random.nextBytes(payload);
                    ps.setInt(1, i);
                    ps.setString(2, "row " + i + " 'quoted' \\ back\tslash " + "é".repeat(i % 5));
                    ps.setBytes(3, payload);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(MySqlSourceSpec.of(
                "clinic", url, EmbeddedMariaDbServer.USER, EmbeddedMariaDbServer.PASSWORD))), ProgressListener.NONE);
        assertThat(result.sources().get(0).error()).isNull();
        snapshot = result.sources().get(0).snapshotId();
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    private ExportResult export(String drive) throws IOException {
        Path to = Files.createDirectories(tmp.resolve(drive));
        return new ExportService(repository).export(new ExportRequest(to, List.of("clinic"), null, PASSPHRASE, NOW,
                ZoneOffset.UTC), ProgressListener.NONE);
    }

    private DatabaseManifest manifest() throws IOException {
        return DatabaseManifest.load(repository, repository.loadSnapshot(snapshot).tree());
    }

    @Test
    @DisplayName("the mariadb client loads the script into a new database: same SHOW CREATE for every object, same rows and digests")
    void loadsWithTheMariadbClient() throws Exception {
        ExportResult result = export("drive-client");
        ExportResult.ExportedFile file = result.files().get(0);
        assertThat(file.name()).isEqualTo("clinic-" + snapshot.substring(0, 8) + ".sql.zst.enc");
        assertThat(file.kind()).isEqualTo("mysql");
        DatabaseManifest manifest = manifest();
        assertThat(file.items()).isEqualTo(manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum());
        assertThat(Files.readString(result.folder().resolve("RESTORE_INSTRUCTIONS.md")))
                .contains("mariadb --default-character-set=utf8mb4 --max-allowed-packet=1G --comments restored_db");

        Path script = tmp.resolve("clinic.sql");
        Path enc = result.folder().resolve(file.name());
        try (InputStream in = new ZstdInputStream(OpenPgp.decrypt(Files.newInputStream(enc), PASSPHRASE, file.name()))) {
            Files.copy(in, script);
        }
        List<String> head = Files.readAllLines(script, StandardCharsets.UTF_8).subList(0, 5);
        assertThat(String.join("\n", head)).contains("database 'ex_src'")
                .contains("CREATE DATABASE NEWDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        // the 4,000 rows of bulk take several statements, the 3 MB row one of its own
        assertThat(Files.readString(script, StandardCharsets.ISO_8859_1).split("INSERT INTO `bulk`", -1).length - 1)
                .isGreaterThanOrEqualTo(3);

        EmbeddedMariaDbServer.freshDatabase("ex_dst");
        String log = mariadb("ex_dst", "< '" + script + "'");
        assertThat(log).isEmpty();
        assertSameAsSource("ex_dst", manifest);
    }

    @Test
    @DisplayName("gpg --decrypt, zstd -d and the mariadb client, as RESTORE_INSTRUCTIONS.md says, restore the same database")
    void loadsWithStandardTools() throws Exception {
        StandardTools.assume("gpg", "zstd");
        ExportResult result = export("drive-tools");
        ExportResult.ExportedFile file = result.files().get(0);
        assertThat(StandardTools.run(result.folder(), "sha256sum -c checksum.sha256")).contains(": OK");
        EmbeddedMariaDbServer.freshDatabase("ex_tools");
        String log = StandardTools.run(result.folder(), StandardTools.gpgDecrypt(tmp, PASSPHRASE) + " '" + file.name() + "' | zstd -d | " + client("ex_tools"));
        assertThat(log).doesNotContain("ERROR");
        assertSameAsSource("ex_tools", manifest());
    }

    @Test
    @DisplayName("a column whose type the CREATE TABLE does not give, or rows that do not match the manifest, stop the script")
    void damagedRowsStopTheExport() throws Exception {
        DatabaseManifest manifest = manifest();
        DatabaseManifest.Table bulk = manifest.tables().stream().filter(t -> t.name().equals("bulk")).findFirst()
                .orElseThrow();
        assertThat(MySqlScript.kinds(bulk, manifest.schema().stream().filter(d -> d.object().equals("table ex_src.bulk"))
                .findFirst().orElseThrow().sql(), null)).containsExactly(Column.Kind.TEXT, Column.Kind.TEXT, Column.Kind.HEX);
        DatabaseManifest.Table renamed = bulk.withColumns(List.of("id", "nope"));
        assertThatThrownBy(() -> MySqlScript.kinds(renamed, "CREATE TABLE `bulk` (\n  `id` int(11) NOT NULL\n)", null))
                .isInstanceOf(RkException.class).hasMessageContaining("column 'nope' of table");

        DatabaseManifest onlyBulk = ManifestEdits.withTables(manifest, List.of(ManifestEdits.withDigest(bulk,
                ManifestEdits.flipped(bulk.digest()))));
        assertThatThrownBy(() -> new MySqlScript(repository).write(repository.loadSnapshot(snapshot), onlyBulk,
                java.io.OutputStream.nullOutputStream(), ProgressListener.NONE)).isInstanceOf(RkException.class)
                .satisfies(e -> assertThat(((RkException) e).code()).isEqualTo(ErrorCode.PROBLEMS_FOUND))
                .hasMessageContaining("table 'ex_src.bulk'");
    }

    private static void assertSameAsSource(String database, DatabaseManifest manifest) throws Exception {
        Map<String, String> expected = AwkwardMySql.showCreate("ex_src");
        Map<String, String> actual = AwkwardMySql.showCreate(database);
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String object : expected.keySet()) {
            assertThat(actual.get(object)).as(object).isEqualTo(expected.get(object));
        }
        List<TableCheck> checks = MySqlTableCheck.compare(manifest, new MySqlConnect(
                EmbeddedMariaDbServer.url(database), "root", null, null));
        assertThat(checks).hasSize(manifest.tables().size())
                .allSatisfy(c -> assertThat(c.equal()).as(c.table()).isTrue());
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT LENGTH(payload) FROM bulk WHERE id = 1234")) {
            r.next();
            assertThat(r.getLong(1)).isEqualTo(3_000_000);
        }
        MySqlRoundTripTest.assertSequenceGoesOn("ex_src", database);
    }

    private static String client(String database) {
        Path bin = EmbeddedMariaDbServer.binaries();
        return "LD_LIBRARY_PATH='" + bin.resolveSibling("libs") + "' '" + bin.resolve("mariadb") + "' --no-defaults --skip-ssl"
                + " --default-character-set=utf8mb4 --max-allowed-packet=1G --comments -uroot -h127.0.0.1 -P"
                + EmbeddedMariaDbServer.port() + " " + database;
    }

    private static String mariadb(String database, String input) throws Exception {
        return StandardTools.run(tmp, client(database) + " " + input);
    }
}
