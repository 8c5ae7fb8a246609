package io.restorekit.source.files;

import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restorekit.source.files.FilesFixtures.assertSameTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How restored files get their mode and owner with as few system calls as possible: created with
 * their mode where the umask leaves it whole, owners set only where they differ from what the new
 * file already has, each folder checked once by path and then by identity.
 */
class FilesRestoreWriteTest {
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

    private FilesRestore.Outcome backupAndRestore(Path src, Path target) throws IOException {
        FilesBackup.Result r = new FilesBackup(repository).backup(src, List.of(), null, ProgressListener.NONE);
        repository.flush();
        FilesRestore restore = new FilesRestore(repository, 2);
        return restore.apply(restore.plan(r.tree(), List.of(List.of()), target), ProgressListener.NONE);
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
