package io.restorekit.archive;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.postgres.CatalogFacts;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.EmbeddedServer;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.source.postgres.TableCheck;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Existing backups come in as snapshots that restore identically: archives made by GNU tar (long names,
 * symbolic and hard links; plain, gzip and zstd) and dumps made by pg_dump (plain and custom format).
 * Tool-made inputs are skipped visibly where the tool is missing; CI installs them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportTest {
    @TempDir
    static Path tmp;
    Repository repository;
    Path original;
    FilesSourceSpec uploads;

    @BeforeAll
    void setUp() throws Exception {
        repository = FilesFixtures.newRepository();
        original = Files.createDirectories(tmp.resolve("original"));
        FilesFixtures.sampleTree(original, 11);
        Path deep = original.resolve("a-folder-name-long-enough-for-gnu-long-link-headers-".repeat(3));
        FilesFixtures.write(deep.resolve("Rechnung Nr. 7 – März.pdf"), "invoice 7\n");
        Files.createLink(original.resolve("hello-hardlink.txt"), original.resolve("hello.txt"));
        Files.setLastModifiedTime(deep, java.nio.file.attribute.FileTime.from(Instant.parse("2024-01-02T03:04:05Z")));
        uploads = new FilesSourceSpec("uploads", tmp.resolve("srv-uploads"), List.of(), null);
    }

    @AfterAll
    void tearDown() throws Exception {
        repository.close();
    }

    private ImportResult importFile(io.restorekit.source.SourceSpec spec, Path file, Instant time) throws Exception {
        return new ImportService(repository).importFile(new ImportRequest(spec, file, time, ZoneOffset.UTC, List.of(),
                tmp.resolve("scratch")), ProgressListener.NONE);
    }

    private Path restore(String snapshot, String name) throws Exception {
        Path target = tmp.resolve(name);
        new RestoreService(repository).restore(new RestoreRequest("uploads", snapshot, null, List.of(), target,
                false, false), ProgressListener.NONE);
        return target;
    }

    @Test
    @DisplayName("GNU tar archives (plain, gzip, zstd) with long names, symlinks and hard links import and restore identically")
    void gnuTarImportsAndRestoresIdentically() throws Exception {
        StandardTools.assume("tar", "gzip", "zstd");
        Map<String, String> expected = FilesFixtures.describe(original);
        String[][] variants = {
                {"uploads-2024-03-01.tar", "tar --format=gnu -cf"},
                {"uploads-20240302_0415.tar.gz", "tar --format=gnu -czf"},
                {"uploads-2024-03-03T05:30:00.tar.zst", "tar --format=posix --zstd -cf"}};
        ZoneId utc = ZoneOffset.UTC;
        Instant[] times = {
                LocalDateTime.parse("2024-03-01T00:00").atZone(utc).toInstant(),
                LocalDateTime.parse("2024-03-02T04:15").atZone(utc).toInstant(),
                LocalDateTime.parse("2024-03-03T05:30").atZone(utc).toInstant()};
        for (int i = 0; i < variants.length; i++) {
            Path archive = tmp.resolve(variants[i][0]);
            StandardTools.run(original, variants[i][1] + " '" + archive + "' .");
            ImportResult result = importFile(uploads, archive, null);
            assertThat(result.format()).isEqualTo(variants[i][0].substring(variants[i][0].indexOf(".tar") + 1));
            assertThat(result.timeFrom()).isEqualTo("file name");
            assertThat(result.time()).isEqualTo(times[i]);
            Snapshot s = repository.loadSnapshot(result.snapshotId());
            assertThat(s.source()).isEqualTo("uploads");
            assertThat(s.tags()).contains("imported");
            assertThat(s.time()).isEqualTo(times[i]);
            Path restored = restore(result.snapshotId(), "restored-" + i);
            // tar keeps whole seconds (GNU) or microseconds (pax); compare at the archive's precision.
            long unit = variants[i][1].contains("posix") ? 1_000L : 1_000_000_000L;
            assertThat(truncated(FilesFixtures.describe(restored), unit)).isEqualTo(truncated(expected, unit));
        }
    }

    @Test
    @DisplayName("an entry that would escape the import folder is refused and nothing is imported")
    void escapingEntriesAreRefused() throws Exception {
        int before = repository.snapshots().size();
        for (String evil : List.of("../escaped.txt", "/etc/rk-escaped", "ok/../../escaped.txt")) {
            Path archive = tmp.resolve("evil-" + Math.abs(evil.hashCode()) + ".tar");
            try (OutputStream out = Files.newOutputStream(archive); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                byte[] data = "gotcha".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(evil, true);
                e.setSize(data.length);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
            assertThatThrownBy(() -> importFile(uploads, archive, Instant.now()))
                    .isInstanceOf(RkException.class)
                    .satisfies(x -> assertThat(((RkException) x).code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining(evil);
        }
        Path viaLink = tmp.resolve("via-link.tar");
        try (OutputStream out = Files.newOutputStream(viaLink); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry link = new TarArchiveEntry("out", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(tmp.toString());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            byte[] data = "gotcha".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("out/through-link.txt");
            e.setSize(data.length);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        assertThatThrownBy(() -> importFile(uploads, viaLink, Instant.now())).isInstanceOf(RkException.class)
                .hasMessageContaining("symbolic link");
        assertThat(tmp.resolve("through-link.txt")).doesNotExist();
        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
        assertThat(tmp.getParent().resolve("escaped.txt")).doesNotExist();
        assertThat(repository.snapshots()).hasSize(before);
        try (var left = Files.list(tmp.resolve("scratch"))) {
            assertThat(left.toList()).as("scratch folders are removed").isEmpty();
        }
    }

    @Test
    @DisplayName("dates in file names: several spellings, and none")
    void timesFromFileNames() {
        ZoneId utc = ZoneOffset.UTC;
        assertThat(ImportService.timeInName("db-2023-12-31.sql", utc)).contains(Instant.parse("2023-12-31T00:00:00Z"));
        assertThat(ImportService.timeInName("backup_20231231_2359.tar.gz", utc)).contains(Instant.parse("2023-12-31T23:59:00Z"));
        assertThat(ImportService.timeInName("x-2023-12-31T23-59-58.tar", utc)).contains(Instant.parse("2023-12-31T23:59:58Z"));
        assertThat(ImportService.timeInName("uploads.tar", utc)).isEmpty();
        assertThat(ImportService.timeInName("v20231399.tar", utc)).isEmpty();
    }

    @Test
    @DisplayName("pg_dump files (plain and custom format) import, and the snapshot restores to equal rows and catalog")
    void pgDumpImports() throws Exception {
        StandardTools.assume("pg_dump", "pg_restore");
        EmbeddedServer server = EmbeddedPostgresServer.pg15();
        server.recreateDatabase("import_src");
        try (Connection c = server.connect("import_src").open(); Statement st = c.createStatement();
             InputStream in = getClass().getResourceAsStream("/postgres/awkward.sql")) {
            st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        PostgresSourceSpec db = new PostgresSourceSpec("db", server.url("app"), "postgres", null, null, "tenant_id",
                List.of(), List.of(), 2, null);
        for (String format : List.of("p", "c")) {
            Path dump = tmp.resolve("app-2025-06-0" + (format.equals("p") ? "1.sql" : "2.dump"));
            StandardTools.run(tmp, "pg_dump -F" + format + " -h localhost -p " + server.port() + " -U postgres -d import_src -f '" + dump + "'");
            ImportResult result = importFile(db, dump, null);
            assertThat(result.format()).isEqualTo(format.equals("p") ? "pg_dump plain" : "pg_dump custom");
            String target = "import_dst_" + format;
            EmbeddedPostgresServer.drop(server, target);
            new DatabaseRestoreService(repository).restore(new DatabaseRestoreRequest("db", result.snapshotId(), null,
                    server.url(target), "postgres", null, 2, false, false), ProgressListener.NONE);
            DatabaseManifest manifest = DatabaseManifest.load(repository,
                    repository.loadSnapshot(result.snapshotId()).tree());
            assertThat(manifest.tables()).isNotEmpty();
            assertThat(TableCheck.compare(manifest, server.connect(target)))
                    .allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
            try (Connection a = server.connect("import_src").open(); Connection b = server.connect(target).open()) {
                Map<String, List<String>> expected = CatalogFacts.of(a);
                Map<String, List<String>> actual = CatalogFacts.of(b);
                // Row counts and digests of the source itself must match what was imported.
                assertThat(TableCheck.compare(manifest, server.connect("import_src")))
                        .allSatisfy(t -> assertThat(t.equal()).as("source " + t.table()).isTrue());
                for (String kind : expected.keySet()) {
                    if (!kind.contains("owner")) {
                        assertThat(actual.get(kind)).as(kind).containsExactlyElementsOf(expected.get(kind));
                    }
                }
            }
        }
    }

    private static Map<String, String> truncated(Map<String, String> described, long unit) {
        Map<String, String> out = new java.util.TreeMap<>();
        java.util.regex.Pattern mtime = java.util.regex.Pattern.compile("mtime=(\\d+)");
        described.forEach((k, v) -> out.put(k, mtime.matcher(v).replaceAll(m ->
                "mtime=" + Long.parseLong(m.group(1)) / unit)));
        return out;
    }
}
