package io.restorekit.archive;

import com.github.luben.zstd.ZstdInputStream;
import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.postgres.CatalogFacts;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.EmbeddedServer;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.source.postgres.TableCheck;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
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
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The offline export is read back with standard tools alone — {@code sha256sum -c}, {@code gpg --decrypt},
 * {@code zstd -d}, {@code tar -x} and {@code psql} — and yields the same bytes and the same rows. Where a
 * tool is missing the step is skipped visibly (CI installs them); the Java reading of the same files
 * always runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportTest {
    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");

    @TempDir
    static Path tmp;
    Repository repository;
    Path sourceRoot;
    EmbeddedServer server;
    String dbSnapshot;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        sourceRoot = Files.createDirectories(tmp.resolve("uploads"));
        FilesFixtures.sampleTree(sourceRoot, 7);
        String longName = "a-very-long-folder-name-that-needs-a-pax-header-".repeat(3);
        FilesFixtures.write(sourceRoot.resolve(longName).resolve("Übersicht 2026 – €.txt"), "long and unicode\n");
        Files.createSymbolicLink(sourceRoot.resolve("newest-link"), Path.of(longName));
        byte[] big = new byte[3 << 20];
        new java.util.Random(3).nextBytes(big);
        Files.write(sourceRoot.resolve("recording.bin"), big);
        BackupResult files = new BackupService(repository).backup(BackupRequest.of(List.of(
                new FilesSourceSpec("uploads", sourceRoot, List.of(), null))), ProgressListener.NONE);
        assertThat(files.succeeded()).isTrue();

        server = EmbeddedPostgresServer.pg15();
        server.recreateDatabase("export_src");
        try (Connection c = server.connect("export_src").open(); Statement st = c.createStatement();
             InputStream in = getClass().getResourceAsStream("/postgres/awkward.sql")) {
            st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        PostgresSourceSpec db = new PostgresSourceSpec("db", server.url("export_src"), "postgres", null, null,
                "tenant_id", List.of(), List.of(), 2, null);
        BackupResult dbResult = new BackupService(repository).backup(BackupRequest.of(List.of(db)), ProgressListener.NONE);
        assertThat(dbResult.succeeded()).isTrue();
        dbSnapshot = dbResult.sources().get(0).snapshotId();
    }

    @AfterAll
    void tearDown() throws IOException {
        repository.close();
    }

    private ExportResult export(Path to, List<String> sources) throws IOException {
        Files.createDirectories(to);
        return new ExportService(repository).export(new ExportRequest(to, sources, null, PASSPHRASE, NOW,
                ZoneOffset.UTC), ProgressListener.NONE);
    }

    @Test
    @DisplayName("export layout: one encrypted archive per source, manifest.json, checksum.sha256 and instructions")
    void layout() throws Exception {
        ExportResult result = export(tmp.resolve("drive-layout"), List.of());
        assertThat(result.folder().getFileName().toString()).isEqualTo("restorekit-export-2026-11");
        assertThat(result.files()).extracting(ExportResult.ExportedFile::name).containsExactlyInAnyOrder(
                "uploads-" + result.files().stream().filter(f -> f.source().equals("uploads")).findFirst()
                        .orElseThrow().snapshot().substring(0, 8) + ".tar.zst.enc",
                "db-" + dbSnapshot.substring(0, 8) + ".sql.zst.enc");
        try (var listing = Files.list(result.folder())) {
            assertThat(listing.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".enc")))
                    .containsExactlyInAnyOrder("manifest.json", "checksum.sha256", "RESTORE_INSTRUCTIONS.md");
        }
        Map<?, ?> manifest = Repository.objectMapper().readValue(result.folder().resolve("manifest.json").toFile(), Map.class);
        assertThat(manifest.get("format")).isEqualTo("restorekit-export/1");
        assertThat((List<?>) manifest.get("files")).hasSize(2);
        String checksums = Files.readString(result.folder().resolve("checksum.sha256"));
        for (ExportResult.ExportedFile f : result.files()) {
            assertThat(checksums).contains(f.sha256() + "  " + f.name());
            assertThat(FilesFixtures.sha(result.folder().resolve(f.name()))).isEqualTo(f.sha256());
        }
        assertThat(Files.readString(result.folder().resolve("RESTORE_INSTRUCTIONS.md")))
                .contains("sha256sum -c checksum.sha256", "gpg --decrypt", "zstd -d", "tar -x", "psql");

        ExportResult second = export(tmp.resolve("drive-layout"), List.of("uploads"));
        assertThat(second.folder().getFileName().toString()).isEqualTo("restorekit-export-2026-11-2");
        assertThat(result.folder().resolve("manifest.json")).exists();
    }

    @Test
    @DisplayName("files export: decrypted, decompressed and untarred it reproduces every file, link and long name")
    void filesExportReadsBackInJava() throws Exception {
        ExportResult result = export(tmp.resolve("drive-java"), List.of("uploads"));
        Path enc = result.folder().resolve(result.files().get(0).name());
        Path out = Files.createDirectories(tmp.resolve("java-untarred"));
        try (InputStream in = OpenPgp.decrypt(Files.newInputStream(enc), PASSPHRASE, enc.toString());
             TarArchiveInputStream tar = new TarArchiveInputStream(new ZstdInputStream(in))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path p = out.resolve(e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                } else if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(p, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(p.getParent());
                    Files.copy(tar, p);
                    Files.setLastModifiedTime(p, e.getLastModifiedTime());
                }
            }
        }
        assertThat(contentOnly(FilesFixtures.describe(out))).isEqualTo(contentOnly(FilesFixtures.describe(sourceRoot)));
    }

    @Test
    @DisplayName("files export: sha256sum -c, gpg --decrypt, zstd -d and tar -x reproduce the files")
    void filesExportWithStandardTools() throws Exception {
        StandardTools.assume("sha256sum", "gpg", "zstd", "tar");
        ExportResult result = export(tmp.resolve("drive-tools"), List.of("uploads"));
        assertThat(StandardTools.run(result.folder(), "sha256sum -c checksum.sha256")).contains(": OK");
        Path out = Files.createDirectories(tmp.resolve("tools-untarred"));
        StandardTools.run(result.folder(), StandardTools.gpgDecrypt(tmp, PASSPHRASE) + " '" + result.files().get(0).name() + "' | zstd -d | tar -x -p -C '" + out + "' -f -");
        // pax headers carry times to a tenth of a microsecond; GNU tar restores microseconds at best.
        assertThat(toMicros(FilesFixtures.describe(out))).isEqualTo(toMicros(FilesFixtures.describe(sourceRoot)));
    }

    @Test
    @DisplayName("database export: gpg, zstd and psql load a new database whose rows, digests and catalog equal the source's")
    void databaseExportLoadsWithPsql() throws Exception {
        StandardTools.assume("gpg", "zstd", "psql");
        ExportResult result = export(tmp.resolve("drive-db"), List.of("db"));
        ExportResult.ExportedFile file = result.files().get(0);
        DatabaseManifest manifest = DatabaseManifest.load(repository, repository.loadSnapshot(dbSnapshot).tree());
        assertThat(file.items()).isEqualTo(manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum());
        server.recreateDatabase("export_dst");
        String log = StandardTools.run(result.folder(), StandardTools.gpgDecrypt(tmp, PASSPHRASE) + " '" + file.name() + "' | zstd -d | psql -X -q -v ON_ERROR_STOP=1"
                + " --single-transaction -h localhost -p " + server.port() + " -U postgres -d export_dst -f -");
        assertThat(log).doesNotContain("ERROR");
        assertThat(TableCheck.compare(manifest, server.connect("export_dst")))
                .hasSize(manifest.tables().size()).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        Map<String, List<String>> expected;
        Map<String, List<String>> actual;
        try (Connection a = server.connect("export_src").open(); Connection b = server.connect("export_dst").open()) {
            expected = CatalogFacts.of(a);
            actual = CatalogFacts.of(b);
        }
        for (String kind : expected.keySet()) {
            assertThat(actual.get(kind)).as(kind).containsExactlyElementsOf(expected.get(kind));
        }
    }

    @Test
    @DisplayName("a wrong passphrase and an altered byte are both refused, never read as data")
    void wrongPassphraseAndTampering() throws Exception {
        ExportResult result = export(tmp.resolve("drive-bad"), List.of("uploads"));
        Path enc = result.folder().resolve(result.files().get(0).name());
        assertThatThrownBy(() -> OpenPgp.decrypt(Files.newInputStream(enc), "wrong".toCharArray(), "x").readAllBytes())
                .isInstanceOf(RkException.class)
                .satisfies(e -> assertThat(((RkException) e).code()).isEqualTo(ErrorCode.WRONG_PASSWORD));
        byte[] bytes = Files.readAllBytes(enc);
        bytes[bytes.length / 2] ^= 0x20;
        Path altered = tmp.resolve("altered.enc");
        Files.write(altered, bytes);
        assertThatThrownBy(() -> {
            try (InputStream in = OpenPgp.decrypt(Files.newInputStream(altered), PASSPHRASE, "altered")) {
                in.readAllBytes();
            }
        }).isInstanceOf(RkException.class).hasMessageContaining("integrity");
    }

    @Test
    @DisplayName("an unknown source or a missing target folder is bad input, and nothing is written")
    void badInput() throws Exception {
        Path drive = Files.createDirectories(tmp.resolve("drive-input"));
        assertThatThrownBy(() -> export(drive, List.of("nope"))).isInstanceOf(BadInputException.class)
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> new ExportService(repository).export(new ExportRequest(tmp.resolve("not-mounted"),
                List.of(), null, PASSPHRASE, NOW, ZoneOffset.UTC), ProgressListener.NONE))
                .isInstanceOf(BadInputException.class).hasMessageContaining("not-mounted");
        try (var listing = Files.list(drive)) {
            assertThat(listing.toList()).hasSizeLessThanOrEqualTo(1);
        }
    }

    private static Map<String, String> contentOnly(Map<String, String> described) {
        Map<String, String> out = new java.util.TreeMap<>();
        described.forEach((k, v) -> out.put(k, v.replaceAll(" (mode|mtime)=\\d+", "")));
        return out;
    }

    private static Map<String, String> toMicros(Map<String, String> described) {
        Map<String, String> out = new java.util.TreeMap<>();
        java.util.regex.Pattern mtime = java.util.regex.Pattern.compile("mtime=(\\d+)");
        described.forEach((k, v) -> out.put(k, mtime.matcher(v).replaceAll(m ->
                "mtime=" + Long.parseLong(m.group(1)) / 1000)));
        return out;
    }
}
