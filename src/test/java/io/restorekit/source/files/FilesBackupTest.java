package io.restorekit.source.files;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restorekit.source.files.FilesFixtures.assertSameTree;
import static io.restorekit.source.files.FilesFixtures.sampleTree;
import static io.restorekit.source.files.FilesFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class FilesBackupTest {
    @TempDir
    Path tmp;
    Repository repository;

    @BeforeEach
    void open() throws IOException {
        repository = FilesFixtures.newRepository();
    }

    @AfterEach
    void close() throws IOException {
        repository.close();
    }

    private FilesRestore.Outcome restoreAll(FilesBackup.Result r, Path target) throws IOException {
        FilesRestore restore = new FilesRestore(repository, 2);
        return restore.apply(restore.plan(r.tree(), List.of(List.of()), target), ProgressListener.NONE);
    }

    @Test
    @DisplayName("a tree comes back byte for byte with modes, nanosecond mtimes, links, empty folders and odd names")
    void roundTrip() throws IOException {
        Path src = tmp.resolve("src");
        sampleTree(src, 42);
        if (FilesRestore.runningAsRoot()) {
            // Owners are restored only by root; describe() compares uid and gid.
            Files.setAttribute(src.resolve("docs/secret.txt"), "unix:uid", 1234, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(src.resolve("docs/secret.txt"), "unix:gid", 4321, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(src.resolve("latest"), "unix:uid", 1234, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        FilesBackup.Result r = new FilesBackup(repository).backup(src, List.of(), null, ProgressListener.NONE);
        repository.flush();

        assertThat(r.warnings()).isEmpty();
        assertThat(r.files()).isEqualTo(10);
        assertThat(r.symlinks()).isEqualTo(2);
        assertThat(r.dirs()).isEqualTo(5);
        Path target = tmp.resolve("restored");
        FilesRestore.Outcome o = restoreAll(r, target);
        assertThat(o.filesWritten()).isEqualTo(12);
        assertThat(o.warnings()).isEmpty();
        assertSameTree(src, target);
        long mtime = Files.getLastModifiedTime(target.resolve("docs/deep/deeper/a.txt")).to(TimeUnit.NANOSECONDS);
        assertThat(mtime % 1000).as("nanoseconds survive").isNotZero();
        try (var s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".rk-restore-"));
        }
    }

    @Test
    @DisplayName("an unchanged folder keeps its parent's tree blob as stored, without encoding it again")
    void unchangedFolderKeepsParentTree() throws IOException {
        Path src = tmp.resolve("src");
        sampleTree(src, 11);
        FilesBackup backup = new FilesBackup(repository);
        FilesBackup.Result first = backup.backup(src, List.of(), null, ProgressListener.NONE);
        repository.flush();
        // The same listing stored with different bytes (say, by an older encoder): a field readers ignore.
        var json = Repository.objectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                repository.loadBlob(io.restorekit.repository.BlobType.TREE, first.tree()));
        root.put("note", "written by another encoder");
        byte[] other = json.writeValueAsBytes(root);
        var otherId = repository.saveBlob(io.restorekit.repository.BlobType.TREE, other, 0, other.length).id();
        repository.flush();

        FilesBackup.Result second = backup.backup(src, List.of(), otherId, ProgressListener.NONE);
        assertThat(second.tree()).isEqualTo(otherId);
        assertThat(second.addedBytes()).isZero();

        write(src.resolve("hello.txt"), "hello again\n");
        FilesBackup.Result third = backup.backup(src, List.of(), otherId, ProgressListener.NONE);
        repository.flush();
        assertThat(third.tree()).isNotEqualTo(otherId).isNotEqualTo(first.tree());
        Path target = tmp.resolve("restored");
        restoreAll(third, target);
        assertSameTree(src, target);
    }

    @Test
    @DisplayName("an unchanged re-run reads nothing and reuses every file; a changed file is read again")
    void incremental() throws IOException {
        Path src = tmp.resolve("src");
        sampleTree(src, 7);
        FilesBackup backup = new FilesBackup(repository);
        FilesBackup.Result first = backup.backup(src, List.of(), null, ProgressListener.NONE);
        repository.flush();

        FilesBackup.Result second = backup.backup(src, List.of(), first.tree(), ProgressListener.NONE);
        assertThat(second.readBytes()).isZero();
        assertThat(second.addedBytes()).isZero();
        assertThat(second.reusedFiles()).isEqualTo(first.files());
        assertThat(second.tree()).isEqualTo(first.tree());

        write(src.resolve("docs/readme.md"), "changed\n");
        FilesBackup.Result third = backup.backup(src, List.of(), second.tree(), ProgressListener.NONE);
        repository.flush();
        assertThat(third.readBytes()).isEqualTo("changed\n".length());
        assertThat(third.reusedFiles()).isEqualTo(first.files() - 1);
        Path target = tmp.resolve("restored");
        restoreAll(third, target);
        assertThat(Files.readString(target.resolve("docs/readme.md"))).isEqualTo("changed\n");
        assertSameTree(src, target);
    }

    @Test
    @DisplayName("exclude globs skip files and whole folders")
    void excludes() throws IOException {
        Path src = tmp.resolve("src");
        write(src.resolve("keep.txt"), "k");
        write(src.resolve("drop.tmp"), "d");
        write(src.resolve("a/b/drop.tmp"), "d");
        write(src.resolve("cache/x.bin"), "x");
        write(src.resolve("logs/today.log"), "l");
        FilesBackup.Result r = new FilesBackup(repository).backup(src,
                List.of("**/*.tmp", "cache", "logs/**"), null, ProgressListener.NONE);
        repository.flush();
        Path target = tmp.resolve("restored");
        restoreAll(r, target);
        assertThat(target.resolve("keep.txt")).exists();
        assertThat(target.resolve("drop.tmp")).doesNotExist();
        assertThat(target.resolve("a/b")).isDirectory();
        assertThat(target.resolve("a/b/drop.tmp")).doesNotExist();
        assertThat(target.resolve("cache")).doesNotExist();
        assertThat(target.resolve("logs")).isDirectory().isEmptyDirectory();
    }

    @Test
    @DisplayName("a file that vanishes, or changes while read, is a warning and not a failure")
    void vanishedAndChanged() throws IOException {
        Path src = tmp.resolve("src");
        byte[] big = new byte[4 << 20];
        new java.util.Random(1).nextBytes(big);
        Files.write(Files.createDirectories(src).resolve("a-growing.bin"), big);
        write(src.resolve("b-vanishing.txt"), "gone soon");
        write(src.resolve("c-stays.txt"), "stays");
        AtomicBoolean done = new AtomicBoolean();
        ProgressListener meddler = new ProgressListener() {
            @Override
            public void advance(long bytes, long items) {
                if (bytes > 0 && done.compareAndSet(false, true)) {
                    try {
                        Files.delete(src.resolve("b-vanishing.txt"));
                        Files.write(src.resolve("a-growing.bin"), new byte[10], StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
        // One reader thread: the vanishing file is only read after the growing one.
        FilesBackup.Result r = new FilesBackup(repository, 1).backup(src, List.of(), null, meddler);
        repository.flush();
        assertThat(r.warnings()).extracting(Snapshot.Warning::path)
                .containsExactly("a-growing.bin", "b-vanishing.txt");
        assertThat(r.warnings().get(0).message()).contains("changed while being read");
        assertThat(r.warnings().get(1).message()).contains("vanished");
        assertThat(r.files()).isEqualTo(2);
    }

    @Test
    @DisplayName("an unreadable file is a warning (skipped as root, who reads everything)")
    void unreadable() throws IOException {
        assumeFalse(FilesRestore.runningAsRoot(), "running as root: permissions do not stop reading, skipped");
        Path src = tmp.resolve("src");
        Path locked = write(src.resolve("locked.txt"), "no");
        write(src.resolve("open.txt"), "yes");
        Files.setAttribute(locked, "unix:mode", 0);
        FilesBackup.Result r = new FilesBackup(repository).backup(src, List.of(), null, ProgressListener.NONE);
        assertThat(r.warnings()).singleElement().satisfies(w -> {
            assertThat(w.path()).isEqualTo("locked.txt");
            assertThat(w.message()).contains("permission denied");
        });
        assertThat(r.files()).isEqualTo(1);
    }
}
