package io.restorekit.source.files;

import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restorekit.source.files.FilesFixtures.assertSameTree;
import static io.restorekit.source.files.FilesFixtures.sampleTree;
import static io.restorekit.source.files.FilesFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    @Test
    @DisplayName("a reader's failure reaches the backup as itself; running out of heap says how to give the backup more")
    void readerFailures() {
        IOException io = new IOException("disk gone");
        assertThat(FilesBackup.rethrown(io)).isSameAs(io);
        assertThat(FilesBackup.rethrown(new UncheckedIOException(io))).isSameAs(io);
        IllegalStateException bug = new IllegalStateException("bug");
        assertThatThrownBy(() -> FilesBackup.rethrown(bug)).isSameAs(bug);

        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        IOException heap = FilesBackup.rethrown(oom);
        assertThat(heap).hasMessageContaining("MiB) is too small for this backup")
                .hasMessageContaining("RK_JAVA_OPTS=-Xmx").hasCause(oom);
        assertThat(FilesBackup.rethrown(new StackOverflowError())).hasCauseInstanceOf(StackOverflowError.class);
    }

    @Test
    @DisplayName("readers of large files: one per core and a spare, as many as the heap holds the buffers of")
    void largeReadersFitTheHeap() {
        int mib = 1 << 20;
        long heap320 = 309L * mib;  // what -Xmx320m gives as the maximum heap
        assertThat(FilesBackup.largeReaders(2, heap320, 8 * mib, 16 * mib, 3)).isEqualTo(3);
        assertThat(FilesBackup.largeReaders(8, heap320, 8 * mib, 16 * mib, 3)).isEqualTo(6);
        assertThat(FilesBackup.largeReaders(8, heap320, 8 * mib, 16 * mib, 6)).isEqualTo(4);
        assertThat(FilesBackup.largeReaders(16, 1024L * mib, 8 * mib, 16 * mib, 3)).isEqualTo(17);
        assertThat(FilesBackup.largeReaders(8, 64L * mib, 8 * mib, 16 * mib, 3)).isEqualTo(1);
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

    /**
     * How restored files get their mode and owner with as few system calls as possible: created with
     * their mode where the umask leaves it whole, owners set only where they differ from what the new
     * file already has, each folder checked once by path and then by identity.
     */
    @Nested
    @DisplayName("writing restored files")
    class Writing {
        private FilesRestore.Outcome backupAndRestore(Path src, Path target) throws IOException {
            FilesBackup.Result r = new FilesBackup(repository).backup(src, List.of(), null, ProgressListener.NONE);
            repository.flush();
            return restoreAll(r, target);
        }

        @Test
        @DisplayName("the umask decides which modes a file can be created with; the others are set after the write")
        void createdExactly() {
            assertThat(FilesRestore.createsExactly(0644, 022)).isTrue();
            assertThat(FilesRestore.createsExactly(0444, 022)).isTrue();
            assertThat(FilesRestore.createsExactly(0664, 022)).isFalse();
            assertThat(FilesRestore.createsExactly(0664, 002)).isTrue();
            assertThat(FilesRestore.createsExactly(04755, 022)).as("set-user-ID is never given at creation").isFalse();
            assertThat(FilesRestore.createsExactly(01777, 0)).isFalse();
            assertThat(FilesRestore.createsExactly(0644, -1)).as("umask unknown").isFalse();
            assertThat(FilesRestore.UMASK).as("read from /proc/self/status on Linux").isBetween(0, 0777);
        }

        @Test
        @DisplayName("modes the umask would cut, read-only files and set-user-ID files all come back exact")
        void modes() throws IOException {
            Path src = tmp.resolve("src");
            Map<String, Integer> modes = Map.of("plain.txt", 0644, "group-write.txt", 0664, "world-write.txt", 0666,
                    "read-only.txt", 0444, "private.txt", 0600, "setuid-tool", 04755, "none", 0);
            for (var e : modes.entrySet()) {
                Path f = FilesFixtures.write(src.resolve(e.getKey()), "content of " + e.getKey() + "\n");
                Files.setAttribute(f, "unix:mode", e.getValue());
            }
            Path target = tmp.resolve("out");
            FilesRestore.Outcome o = backupAndRestore(src, target);
            assertThat(o.warnings()).isEmpty();
            assertSameTree(src, target);
            for (var e : modes.entrySet()) {
                assertThat((Integer) Files.getAttribute(target.resolve(e.getKey()), "unix:mode") & 07777)
                        .as(e.getKey()).isEqualTo(e.getValue());
            }
        }

        @Test
        @DisplayName("as root: owners that differ in user, in group or in both are set; a set-group-ID target folder does not lend its group")
        void owners() throws IOException {
            assumeTrue(FilesRestore.runningAsRoot(), "restoring owners needs root; not run as root here");
            Path src = tmp.resolve("src");
            Path same = FilesFixtures.write(src.resolve("same.txt"), "root's\n");
            Path user = FilesFixtures.write(src.resolve("user.txt"), "another user's\n");
            Path group = FilesFixtures.write(src.resolve("group.txt"), "another group's\n");
            Path both = FilesFixtures.write(src.resolve("sub/both.txt"), "both differ\n");
            Files.setAttribute(user, "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(group, "unix:gid", 4321, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(both, "unix:uid", 2345, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(both, "unix:gid", 5432, LinkOption.NOFOLLOW_LINKS);
            assertThat(Files.getAttribute(same, "unix:gid")).isEqualTo(0);

            // New files in a set-group-ID folder take its group: restore must still give same.txt group 0.
            Path target = Files.createDirectories(tmp.resolve("out"));
            Files.setAttribute(target, "unix:gid", 777);
            Files.setAttribute(target, "unix:mode", 02775);
            FilesRestore.Outcome o = backupAndRestore(src, target);
            assertThat(o.warnings()).isEmpty();
            for (String name : List.of("same.txt", "user.txt", "group.txt", "sub/both.txt")) {
                Path restored = target.resolve(name);
                assertThat(Files.getAttribute(restored, "unix:uid", LinkOption.NOFOLLOW_LINKS)).as(name + " uid")
                        .isEqualTo(Files.getAttribute(src.resolve(name), "unix:uid", LinkOption.NOFOLLOW_LINKS));
                assertThat(Files.getAttribute(restored, "unix:gid", LinkOption.NOFOLLOW_LINKS)).as(name + " gid")
                        .isEqualTo(Files.getAttribute(src.resolve(name), "unix:gid", LinkOption.NOFOLLOW_LINKS));
            }
        }

        @Test
        @DisplayName("a folder checked once is rechecked by identity: swapped for a link, nothing is written into it; another folder is resolved again")
        void folderIdentity() throws IOException {
            Path base = Files.createDirectories(tmp.resolve("out")).toRealPath();
            Path dir = Files.createDirectories(base.resolve("a/b"));
            Path outside = Files.createDirectories(tmp.resolve("elsewhere")).toRealPath();
            FilesRestore.Folders folders = new FilesRestore.Folders(base);
            assertThat(folders.check(dir, "a/b/one.txt").isDir()).isTrue();
            assertThat(folders.check(dir, "a/b/two.txt").isDir()).isTrue();

            Files.move(dir, base.resolve("a/b-moved"));
            Files.createSymbolicLink(dir, outside);
            assertThatThrownBy(() -> folders.check(dir, "a/b/three.txt")).isInstanceOf(RkException.class)
                    .hasMessageContaining("through a symbolic link").hasMessageContaining("'a/b/three.txt' was not written");

            // another real folder in its place is resolved again, as the first time, and then known by its identity
            Files.delete(dir);
            Files.createDirectory(dir);
            FilesRestore.Folder replaced = folders.check(dir, "a/b/four.txt");
            assertThat(replaced.isDir()).isTrue();
            assertThat(replaced.sameAs(FilesRestore.Folder.of(dir))).isTrue();
            assertThat(replaced.sameAs(FilesRestore.Folder.of(base.resolve("a/b-moved")))).isFalse();

            Files.createSymbolicLink(base.resolve("a2"), base.resolve("a"));
            assertThatThrownBy(() -> folders.check(base.resolve("a2/b"), "a2/b/five.txt")).as("first check by path")
                    .isInstanceOf(RkException.class).hasMessageContaining("through a symbolic link");
        }
    }
}
