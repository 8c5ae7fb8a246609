package io.restorekit.restore;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tenant and module restores of files, one file as of a date, and the path index behind {@code versions}. */
class FilesScopeTest {
    private static final Instant DAY1 = Instant.parse("2026-11-01T03:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-11-02T03:00:00Z");
    private static final Instant DAY3 = Instant.parse("2026-11-03T03:00:00Z");
    private static final String INVOICE = "tenant-02/billing/INV-1.xml";

    @TempDir
    Path dir;
    Path data;
    Path cache;
    Repository repository;
    InMemoryCatalog catalog = new InMemoryCatalog();
    FilesSourceSpec source;

    @BeforeEach
    void setUp() throws IOException {
        repository = FilesFixtures.newRepository();
        data = dir.resolve("data");
        cache = dir.resolve("cache");
        for (String tenant : List.of("01", "02", "03")) {
            write("tenant-" + tenant + "/billing/INV-1.xml", "invoice 1 of " + tenant);
            write("tenant-" + tenant + "/billing/2026/INV-2.xml", "invoice 2 of " + tenant);
            write("tenant-" + tenant + "/profile/logo.txt", "logo of " + tenant);
        }
        write("shared/readme.txt", "shared");
        source = new FilesSourceSpec("uploads", data, List.of(), "tenant-{tenant}/**");
        backup(DAY1);
        write(INVOICE, "second version");
        backup(DAY2);
        write(INVOICE, "third version, longer");
        backup(DAY3);
    }

    @AfterEach
    void close() throws IOException {
        repository.close();
    }

    private void write(String path, String content) throws IOException {
        Path p = data.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void backup(Instant time) throws IOException {
        new BackupService(repository).backup(new BackupRequest(List.of(source), List.of(), time, "h", "u"),
                ProgressListener.NONE);
    }

    private RestoreService service() {
        return new RestoreService(repository, 2, catalog, cache);
    }

    private RestoreResult restore(Instant at, List<String> files, PathScope scope, Path target, boolean dryRun) {
        return service().restore(new RestoreRequest("uploads", null, at, files, target, dryRun, false, scope),
                ProgressListener.NONE);
    }

    private static List<String> filesUnder(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("a file changed three times is restored as of each date, and versions lists all three")
    void fileAsOfEachDate() throws IOException {
        String[] expected = {"invoice 1 of 02", "second version", "third version, longer"};
        Instant[] days = {DAY1.plusSeconds(3600), DAY2.plusSeconds(3600), DAY3.plusSeconds(3600)};
        for (int i = 0; i < 3; i++) {
            Path target = dir.resolve("as-of-" + i);
            RestoreResult r = restore(days[i], List.of(INVOICE), null, target, false);
            assertThat(Files.readString(target.resolve(INVOICE))).isEqualTo(expected[i]);
            assertThat(r.plan().snapshot().time()).isEqualTo(List.of(DAY1, DAY2, DAY3).get(i));
        }
        FilesBrowser.Versions versions = new FilesBrowser(repository, cache).versions("uploads", INVOICE);
        assertThat(versions.versions()).extracting(FilesBrowser.FileVersion::time).containsExactly(DAY1, DAY2, DAY3);
        assertThat(versions.versions()).allMatch(FilesBrowser.FileVersion::changed);
        assertThat(new FilesBrowser(repository, cache).versions("uploads", "shared/readme.txt").versions())
                .extracting(FilesBrowser.FileVersion::changed).containsExactly(true, false, false);
        assertThat(catalog.runs(RunQuery.of(RunKind.RESTORE))).hasSize(3);
    }

    @Test
    @DisplayName("the path index is kept under the cache folder, follows new snapshots, and is rebuilt when damaged")
    void indexFollowsTheRepository() throws IOException {
        FilesBrowser browser = new FilesBrowser(repository, cache);
        assertThat(browser.versions("uploads", INVOICE).versions()).hasSize(3);
        Path file;
        try (Stream<Path> all = Files.walk(cache)) {
            file = all.filter(p -> p.getFileName().toString().equals("paths-uploads.idx")).findFirst().orElseThrow();
        }
        write(INVOICE, "fourth");
        backup(DAY3.plusSeconds(86400));
        assertThat(new FilesBrowser(repository, cache).versions("uploads", INVOICE).versions()).hasSize(4)
                .last().satisfies(v -> assertThat(v.changed()).isTrue());
        Files.write(file, new byte[]{1, 2, 3});
        assertThat(new FilesBrowser(repository, cache).versions("uploads", "tenant-01/profile/logo.txt").versions())
                .hasSize(4);
        assertThat(new FilesBrowser(repository, null).versions("uploads", INVOICE).versions()).hasSize(4);
    }

    @Test
    @DisplayName("a tenant's files, a module's files of one tenant, and nothing else")
    void tenantAndModule() throws IOException {
        Path t = dir.resolve("tenant");
        restore(null, List.of(), PathScope.of("02", "tenant-{tenant}/**", null, null), t, false);
        assertThat(filesUnder(t)).containsExactly("tenant-02/billing/2026/INV-2.xml", "tenant-02/billing/INV-1.xml",
                "tenant-02/profile/logo.txt");

        Path m = dir.resolve("module");
        RestoreResult plan = restore(null, List.of(), PathScope.of("03", "tenant-{tenant}/**", "billing",
                List.of("*/billing/**")), m, true);
        assertThat(plan.plan().filesToWrite()).isEqualTo(2);
        assertThat(m).doesNotExist();
        restore(null, List.of(), PathScope.of("03", "tenant-{tenant}/**", "billing", List.of("*/billing/**")), m,
                false);
        assertThat(filesUnder(m)).containsExactly("tenant-03/billing/2026/INV-2.xml", "tenant-03/billing/INV-1.xml");

        Path all = dir.resolve("all-billing");
        restore(null, List.of(), PathScope.of(null, "tenant-{tenant}/**", "billing", List.of("*/billing/*.xml")),
                all, false);
        assertThat(filesUnder(all)).containsExactly("tenant-01/billing/INV-1.xml", "tenant-02/billing/INV-1.xml",
                "tenant-03/billing/INV-1.xml");
    }

    @Test
    @DisplayName("an unknown tenant or file, or a date before the first snapshot, is bad input (exit 2)")
    void badInput() {
        Path t = dir.resolve("x");
        assertThatThrownBy(() -> restore(null, List.of(), PathScope.of("99", "tenant-{tenant}/**", null, null), t,
                true)).isInstanceOf(BadInputException.class).hasMessageContaining("tenant 99");
        assertThatThrownBy(() -> restore(null, List.of("no/such.xml"), null, t, true))
                .isInstanceOf(RkException.class).hasMessageContaining("no/such.xml")
                .satisfies(e -> assertThat(((RkException) e).code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertThatThrownBy(() -> restore(DAY1.minusSeconds(86400), List.of(INVOICE), null, t, true))
                .isInstanceOf(RkException.class).hasMessageContaining("before the first snapshot")
                .satisfies(e -> assertThat(((RkException) e).code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertThatThrownBy(() -> PathScope.of("02", null, null, null)).isInstanceOf(BadInputException.class)
                .hasMessageContaining("tenant-path");
        assertThatThrownBy(() -> new FilesBrowser(repository, cache).versions("uploads", "no/such.xml"))
                .isInstanceOf(BadInputException.class);
        assertThat(t).doesNotExist();
    }
}
