package io.restorekit.restore;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryCorruptException;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesRestore;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.Tree;
import io.restorekit.source.files.TreeCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restorekit.source.files.FilesFixtures.describe;
import static io.restorekit.source.files.FilesFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoreServiceTest {
    static final Instant T1 = Instant.parse("2026-11-01T03:00:00Z");
    static final Instant T2 = Instant.parse("2026-11-02T03:00:00Z");
    static final Instant T3 = Instant.parse("2026-11-03T03:00:00Z");

    @TempDir
    Path tmp;
    Repository repository;
    FilesSourceSpec spec;
    RestoreService service;

    @BeforeEach
    void open() throws IOException {
        repository = FilesFixtures.newRepository();
        spec = new FilesSourceSpec("uploads", tmp.resolve("src"), List.of(), null);
        service = new RestoreService(repository);
    }

    @AfterEach
    void close() throws IOException {
        repository.close();
    }

    String backup(Instant time) {
        BackupResult r = new BackupService(repository).backup(
                new BackupRequest(List.of(spec), List.of(), time, "h", "u"), ProgressListener.NONE);
        assertThat(r.succeeded()).as("backup: %s", r).isTrue();
        return r.sources().get(0).snapshotId();
    }

    RestoreRequest request(String snapshot, Instant at, List<String> files, Path target) {
        return new RestoreRequest("uploads", snapshot, at, files, target, false, false);
    }

    @Nested
    @DisplayName("with three versions of a file")
    class History {
        String s1;
        String s2;
        String s3;

        @BeforeEach
        void threeSnapshots() throws IOException {
            write(spec.path().resolve("docs/report.txt"), "version 1");
            write(spec.path().resolve("other.txt"), "other");
            s1 = backup(T1);
            write(spec.path().resolve("docs/report.txt"), "version 2, longer");
            s2 = backup(T2);
            Files.delete(spec.path().resolve("docs/report.txt"));
            s3 = backup(T3);
        }

        @Test
        @DisplayName("restores one file as of the first snapshot, and nothing else")
        void oneFileFromFirst() throws IOException {
            Path target = tmp.resolve("out");
            RestoreResult r = service.restore(request(s1.substring(0, 8), null, List.of("docs/report.txt"), target),
                    ProgressListener.NONE);
            assertThat(r.filesWritten()).isEqualTo(1);
            assertThat(r.plan().snapshot().id()).isEqualTo(s1);
            assertThat(Files.readString(target.resolve("docs/report.txt"))).isEqualTo("version 1");
            assertThat(describe(target)).containsOnlyKeys("docs", "docs/report.txt");
        }

        @Test
        @DisplayName("--at picks the newest snapshot at or before it; with --file the newest that holds the file")
        void at() {
            Path target = tmp.resolve("out");
            assertThat(service.plan(request(null, T1.plusSeconds(60), List.of(), target)).snapshot().id()).isEqualTo(s1);
            assertThat(service.plan(request(null, T2, List.of(), target)).snapshot().id()).isEqualTo(s2);
            assertThat(service.plan(request(null, null, List.of(), target)).snapshot().id()).isEqualTo(s3);
            assertThat(service.plan(request(null, null, List.of("docs/report.txt"), target)).snapshot().id())
                    .isEqualTo(s2);
            assertThat(service.plan(request(null, T2.minusSeconds(1), List.of("docs/report.txt"), target))
                    .snapshot().id()).isEqualTo(s1);
            assertThatThrownBy(() -> service.plan(request(null, T1.minusSeconds(1), List.of(), target)))
                    .hasMessageContaining("no files snapshot of source 'uploads' at or before");
        }

        @Test
        @DisplayName("--file held by the newest snapshot reads only its path there; otherwise the path index answers")
        void newestWithoutIndex() throws IOException {
            Path cache = tmp.resolve("cache");
            RestoreService cached = new RestoreService(repository, 2, new io.restorekit.catalog.InMemoryCatalog(), cache);
            Path target = tmp.resolve("out");
            assertThat(cached.plan(request(null, null, List.of("other.txt"), target)).snapshot().id()).isEqualTo(s3);
            assertThat(cached.plan(request(null, T2, List.of("docs/report.txt"), target)).snapshot().id())
                    .isEqualTo(s2);
            try (var files = Files.walk(cache)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("paths-"));
            }
            assertThat(cached.plan(request(null, null, List.of("docs/report.txt"), target)).snapshot().id())
                    .isEqualTo(s2);
            try (var files = Files.walk(cache)) {
                assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("paths-"));
            }
        }

        @Test
        @DisplayName("versions lists each snapshot holding the file and marks content changes; ls lists a folder")
        void versionsAndLs() {
            FilesBrowser browser = new FilesBrowser(repository);
            FilesBrowser.Versions v = browser.versions("uploads", "docs/report.txt");
            assertThat(v.versions()).extracting(FilesBrowser.FileVersion::snapshotId).containsExactly(s1, s2);
            assertThat(v.versions()).extracting(FilesBrowser.FileVersion::size).containsExactly(9L, 17L);
            assertThat(v.versions()).allMatch(FilesBrowser.FileVersion::changed);

            FilesBrowser.Listing ls = browser.ls(s2, "docs");
            assertThat(ls.directory()).isTrue();
            assertThat(ls.entries()).singleElement().satisfies(e -> {
                assertThat(e.path()).isEqualTo("docs/report.txt");
                assertThat(e.type()).isEqualTo("file");
                assertThat(e.size()).isEqualTo(17);
            });
            assertThat(browser.ls(s2, "").entries()).extracting(FilesBrowser.Entry::name)
                    .containsExactly("docs", "other.txt");
            assertThatThrownBy(() -> browser.ls(s3, "docs/report.txt")).isInstanceOf(BadInputException.class);
        }
    }

    @Test
    @DisplayName("dry run reports written, overwritten and unchanged files and changes nothing")
    void dryRun() throws IOException {
        write(spec.path().resolve("same.txt"), "same");
        write(spec.path().resolve("differs.txt"), "snapshot content");
        write(spec.path().resolve("new/missing.txt"), "missing");
        String id = backup(T1);
        Path target = tmp.resolve("out");
        write(target.resolve("same.txt"), "same");
        write(target.resolve("differs.txt"), "local edits");
        Map<String, String> before = describe(target);

        RestoreResult r = service.restore(new RestoreRequest("uploads", id, null, List.of(), target, true, false),
                ProgressListener.NONE);
        assertThat(r.dryRun()).isTrue();
        RestorePlan plan = r.plan();
        assertThat(plan.filesToWrite()).isEqualTo(1);
        assertThat(plan.filesToOverwrite()).isEqualTo(1);
        assertThat(plan.filesUnchanged()).isEqualTo(1);
        assertThat(plan.dirsToCreate()).isEqualTo(1);
        assertThat(plan.bytesToRead()).isEqualTo("snapshot content".length() + "missing".length());
        assertThat(plan.items()).extracting(FilesRestore.Item::path, FilesRestore.Item::action).containsExactly(
                org.assertj.core.groups.Tuple.tuple("differs.txt", FilesRestore.Action.OVERWRITE),
                org.assertj.core.groups.Tuple.tuple("new", FilesRestore.Action.CREATE),
                org.assertj.core.groups.Tuple.tuple("new/missing.txt", FilesRestore.Action.CREATE),
                org.assertj.core.groups.Tuple.tuple("same.txt", FilesRestore.Action.UNCHANGED));
        assertThat(describe(target)).isEqualTo(before);
    }

    @Test
    @DisplayName("overwriting needs permission: refused before anything is written, done with --yes")
    void overwrite() throws IOException {
        write(spec.path().resolve("a.txt"), "from snapshot");
        write(spec.path().resolve("b.txt"), "also from snapshot");
        String id = backup(T1);
        Path target = tmp.resolve("out");
        write(target.resolve("a.txt"), "local");
        Map<String, String> before = describe(target);

        assertThatThrownBy(() -> service.restore(request(id, null, List.of(), target), ProgressListener.NONE))
                .isInstanceOf(RestoreWouldOverwriteException.class)
                .hasMessageContaining("would overwrite 1 file")
                .hasMessageContaining("--yes");
        assertThat(describe(target)).isEqualTo(before);

        RestoreResult r = service.restore(new RestoreRequest("uploads", id, null, List.of(), target, false, true),
                ProgressListener.NONE);
        assertThat(r.filesOverwritten()).isEqualTo(1);
        assertThat(r.filesWritten()).isEqualTo(1);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("from snapshot");
        assertThat(Files.readString(target.resolve("b.txt"))).isEqualTo("also from snapshot");
    }

    @Test
    @DisplayName("in place: a deleted file comes back into the source folder")
    void inPlace() throws IOException {
        write(spec.path().resolve("keep.txt"), "keep");
        write(spec.path().resolve("d/lost.txt"), "lost");
        String id = backup(T1);
        Files.delete(spec.path().resolve("d/lost.txt"));
        RestoreResult r = service.restore(request(id, null, List.of("d/lost.txt"), spec.path()), ProgressListener.NONE);
        assertThat(r.filesWritten()).isEqualTo(1);
        assertThat(Files.readString(spec.path().resolve("d/lost.txt"))).isEqualTo("lost");
    }

    @Test
    @DisplayName("--file paths may not climb out with '..'")
    void fileWithDotDot() throws IOException {
        write(spec.path().resolve("a.txt"), "a");
        String id = backup(T1);
        assertThatThrownBy(() -> service.plan(request(id, null, List.of("../etc/passwd"), tmp.resolve("out"))))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'..'");
    }

    @Nested
    @DisplayName("never writes outside the target")
    class Safety {
        Path target;
        Path outside;

        @BeforeEach
        void dirs() throws IOException {
            target = Files.createDirectories(tmp.resolve("target"));
            outside = Files.createDirectories(tmp.resolve("outside"));
        }

        /** A snapshot whose root tree is {@code nodes}, built by hand as an attacker would. */
        String handMade(List<Node> nodes) throws IOException {
            byte[] json = TreeCodec.encode(new Tree(nodes));
            BlobId tree = repository.saveBlob(BlobType.TREE, json, 0, json.length).id();
            repository.flush();
            return repository.saveSnapshot(new Snapshot(null, 1, "uploads", "files", T1, "h", "u", "r", List.of(),
                    null, spec.path().toString(), tree, null, List.of())).id();
        }

        Node file(String name, String content) throws IOException {
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            BlobId id = repository.saveBlob(BlobType.DATA, b, 0, b.length).id();
            return new Node(name, Node.Type.FILE, 0644, 0, 0, "root", "root", 0L, 0L, 1L, 1L, (long) b.length,
                    FilesFixtures.shaOf(b), List.of(id), null, null);
        }

        Node dir(String name, List<Node> children) throws IOException {
            byte[] json = TreeCodec.encode(new Tree(children));
            BlobId id = repository.saveBlob(BlobType.TREE, json, 0, json.length).id();
            return new Node(name, Node.Type.DIR, 0755, 0, 0, null, null, 0L, null, null, null, null, null, null, id, null);
        }

        Node link(String name, String target) {
            return new Node(name, Node.Type.SYMLINK, 0777, 0, 0, null, null, 0L, null, null, null, null, null, null,
                    null, target);
        }

        @Test
        @DisplayName("entries named '..', containing '/', or empty are refused and nothing is written")
        void maliciousNames() throws IOException {
            for (List<Node> evil : List.of(
                    List.of(file("a-fine.txt", "fine"), file("..", "escaped")),
                    List.of(file("a-fine.txt", "fine"), dir("..", List.of(file("escaped.txt", "escaped")))),
                    List.of(file("a-fine.txt", "fine"), file("../escaped.txt", "escaped")),
                    List.of(file("", "escaped")),
                    List.of(dir("d", List.of(file("escaped.txt", "escaped"))), link("d", outside.toString())))) {
                String id = handMade(evil);
                assertThatThrownBy(() -> service.restore(new RestoreRequest("uploads", id, null, List.of(), target,
                        false, true), ProgressListener.NONE))
                        .isInstanceOf(RepositoryCorruptException.class)
                        .hasMessageContaining("could write outside the target");
                assertThat(target).isEmptyDirectory();
                assertThat(outside).isEmptyDirectory();
                assertThat(describe(tmp)).doesNotContainKeys("escaped", "escaped.txt");
            }
        }

        @Test
        @DisplayName("a link inside the target that points elsewhere is never written through")
        void linkInTarget() throws IOException {
            write(spec.path().resolve("docs/readme.md"), "readme");
            write(spec.path().resolve("top.txt"), "top");
            String id = backup(T1);
            Files.createSymbolicLink(target.resolve("docs"), outside);

            for (boolean yes : List.of(false, true)) {
                assertThatThrownBy(() -> service.restore(new RestoreRequest("uploads", id, null, List.of(), target,
                        false, yes), ProgressListener.NONE))
                        .isInstanceOf(RkException.class)
                        .hasMessageContaining("symbolic link");
                assertThatThrownBy(() -> service.restore(new RestoreRequest("uploads", id, null,
                        List.of("docs/readme.md"), target, false, yes), ProgressListener.NONE))
                        .hasMessageContaining("symbolic link");
            }
            assertThat(outside).isEmptyDirectory();
            assertThat(target.resolve("top.txt")).doesNotExist();
        }

        @Test
        @DisplayName("a link where the snapshot has a file is replaced, not followed")
        void linkReplacedByFile() throws IOException {
            write(spec.path().resolve("a.txt"), "from snapshot");
            String id = backup(T1);
            Path victim = write(outside.resolve("victim.txt"), "untouched");
            Files.createSymbolicLink(target.resolve("a.txt"), victim);
            service.restore(new RestoreRequest("uploads", id, null, List.of(), target, false, true),
                    ProgressListener.NONE);
            assertThat(Files.isSymbolicLink(target.resolve("a.txt"))).isFalse();
            assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("from snapshot");
            assertThat(Files.readString(victim)).isEqualTo("untouched");
        }
    }
}
