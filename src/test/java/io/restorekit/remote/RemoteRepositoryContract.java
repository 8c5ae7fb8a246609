package io.restorekit.remote;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.CheckReport;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.ForwardingStorage;
import io.restorekit.storage.decorator.IndexCachingStorage;
import io.restorekit.storage.decorator.RetryingStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups into a repository on a remote backend and restores from it, through the services. A
 * backend's test says how to reach its server and how to stop and start it.
 */
public abstract class RemoteRepositoryContract {
    protected static final char[] PASSWORD = "remote-test".toCharArray();

    @TempDir
    protected Path tmp;

    /** A storage for a new repository at {@code name}, built from configuration as {@code rk} does. */
    protected abstract Storage create(String name) throws IOException;

    /** The same location, opened again as {@code rk} does. */
    protected abstract Storage open(String name) throws IOException;

    /** The backend itself, without the retrying wrapper. */
    protected abstract Storage backend(String name) throws IOException;

    protected abstract void stopServer() throws IOException;

    protected abstract void startServer() throws IOException;

    private static void randomFile(Path file, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private BackupResult backup(Repository repository, Path source) {
        return new BackupService(repository).backup(
                BackupRequest.of(List.of(new FilesSourceSpec("files", source, List.of(), null))), ProgressListener.NONE);
    }

    private void restoreAndCompare(Repository repository, String snapshot, Path source, Path target) {
        RestoreResult r = new RestoreService(repository).restore(new RestoreRequest("files", snapshot, null, List.of(),
                target, false, false), ProgressListener.NONE);
        assertThat(r.filesWritten()).isPositive();
        try {
            FilesFixtures.assertSameTree(source, target);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("backs up a tree with packs above the multipart size and restores it byte for byte after reopening")
    void backupAndRestore() throws IOException {
        Path source = tmp.resolve("src");
        FilesFixtures.sampleTree(source, 3);
        randomFile(source.resolve("media/a.bin"), 20 << 20, 1);
        randomFile(source.resolve("media/b.bin"), 7 << 20, 2);
        String id;
        try (Repository repository = Repository.init(create("roundtrip"), PASSWORD,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 16 << 20))) {
            BackupResult r = backup(repository, source);
            assertThat(r.succeeded()).as("%s", r).isTrue();
            id = r.sources().get(0).snapshotId();
        }
        try (Repository repository = Repository.open(open("roundtrip"), PASSWORD)) {
            restoreAndCompare(repository, id, source, tmp.resolve("out"));
            CheckReport report = repository.check(true, ProgressListener.NONE);
            assertThat(report.errors()).isEmpty();
            assertThat(report.snapshots()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("index files are read from the server once per host; a check still reads the server's own and finds one damaged there")
    void indexCopies() throws IOException {
        Path source = tmp.resolve("src");
        FilesFixtures.sampleTree(source, 1);
        Path copies = tmp.resolve("cache");
        String id;
        try (Repository repository = Repository.init(create("copies"), PASSWORD,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            backup(repository, source);
            Files.writeString(source.resolve("changed.txt"), "second backup");
            id = backup(repository, source).sources().get(0).snapshotId();
        }
        Storage backend = backend("copies");
        List<Handle> indexes = new ArrayList<>();
        backend.list(Kind.INDEX, f -> indexes.add(f.handle()));
        assertThat(indexes).hasSizeGreaterThanOrEqualTo(2);
        try (Repository repository = Repository.open(new IndexCachingStorage(open("copies"), copies), PASSWORD)) {
            assertThat(repository.snapshots()).hasSize(2);
        }
        try (var kept = Files.list(copies)) {
            assertThat(kept.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(indexes.stream().map(Handle::name).toList());
        }
        // the server's copy of one index file is damaged; this host's copy is good
        Handle damaged = indexes.get(0);
        byte[] bytes = backend.readAll(damaged);
        bytes[bytes.length / 2] ^= 1;
        backend.remove(damaged);
        backend.save(damaged, Payload.of(bytes));
        try (Repository repository = Repository.open(new IndexCachingStorage(open("copies"), copies), PASSWORD)) {
            restoreAndCompare(repository, id, source, tmp.resolve("out"));
            CheckReport report = repository.check(false, ProgressListener.NONE);
            assertThat(report.errors()).anySatisfy(f -> assertThat(f.object()).contains(damaged.name()));
        }
    }

    @Test
    @DisplayName("a server stopped mid-backup fails the run with exit 6; after a restart the repository verifies and the next backup completes")
    void serverStoppedMidBackup() throws IOException {
        Path source = tmp.resolve("src");
        for (int i = 0; i < 8; i++) {
            randomFile(source.resolve("f" + i + ".bin"), 1 << 20, 10 + i);
        }
        try (Repository repository = Repository.init(create("interrupted"), PASSWORD,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            // config and key only
        }
        AtomicInteger packs = new AtomicInteger();
        Storage stopping = new StopAfterPacks(new RetryingStorage(backend("interrupted"), 3, Duration.ofMillis(20),
                ProgressListener.NONE), packs, 3, () -> {
            try {
                stopServer();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        try (Repository repository = Repository.open(stopping, PASSWORD)) {
            BackupResult failed = backup(repository, source);
            assertThat(failed.succeeded()).isFalse();
            assertThat(failed.code()).isEqualTo(ErrorCode.UNREACHABLE);
            assertThat(failed.code().exitCode()).isEqualTo(6);
            assertThat(failed.sources().get(0).error()).contains("files");
        } catch (IOException | RuntimeException closing) {
            // closing may fail too while the server is down
        } finally {
            startServer();
        }
        assertThat(packs.get()).isGreaterThanOrEqualTo(3);

        try (Repository repository = Repository.open(open("interrupted"), PASSWORD)) {
            CheckReport report = repository.check(true, ProgressListener.NONE);
            assertThat(report.errors()).isEmpty();
            assertThat(report.snapshots()).isZero();
            // The failed run's process would have exited; its lock is what 'rk unlock' removes.
            repository.removeAllLocks();
            BackupResult r = backup(repository, source);
            assertThat(r.succeeded()).as("%s", r).isTrue();
            restoreAndCompare(repository, r.sources().get(0).snapshotId(), source, tmp.resolve("out"));
            assertThat(repository.check(true, ProgressListener.NONE).errors()).isEmpty();
        }
    }

    /** Runs {@code stop} just before the n-th pack save, then lets the call fail against the stopped server. */
    private static final class StopAfterPacks extends ForwardingStorage {
        private final AtomicInteger packs;
        private final int n;
        private final Runnable stop;

        StopAfterPacks(Storage inner, AtomicInteger packs, int n, Runnable stop) {
            super(inner);
            this.packs = packs;
            this.n = n;
            this.stop = stop;
        }

        @Override
        public void save(Handle handle, Payload payload) throws IOException {
            if (handle.kind() == Kind.PACK && packs.incrementAndGet() == n) {
                stop.run();
            }
            inner.save(handle, payload);
        }
    }
}
