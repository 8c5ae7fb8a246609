package io.restorekit.copy;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.FaultyStorage;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Storage;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.storage.s3.S3ProxyServer;
import io.restorekit.storage.s3.S3Storage;
import io.restorekit.storage.sftp.SftpStorage;
import io.restorekit.storage.sftp.SftpTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CopyServiceTest {
    private static final char[] PASSWORD = "copy-test".toCharArray();
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path serversDir;
    static S3ProxyServer s3;
    static SftpTestServer sftp;
    static Path knownHosts;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServers() throws Exception {
        s3 = S3ProxyServer.start(Files.createDirectories(serversDir.resolve("s3")));
        s3.createBucket("copies");
        sftp = SftpTestServer.start(Files.createDirectories(serversDir.resolve("sftp")));
        knownHosts = sftp.writeKnownHosts(serversDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopServers() throws IOException {
        if (s3 != null) {
            s3.close();
        }
        if (sftp != null) {
            sftp.close();
        }
    }

    private static Storage s3Copy(String name) {
        return new S3Storage("s3://copies/" + name, s3.options());
    }

    private static Storage sftpCopy(String name) throws IOException {
        SftpStorage storage = new SftpStorage(sftp.url("/copies/" + name), sftp.keyOptions(knownHosts));
        storage.createFolders();
        return storage;
    }

    private Path primaryWithTwoSnapshots(Path source) throws IOException {
        FilesFixtures.sampleTree(source, 5);
        // Small documents enough for the repository to train its dictionary, which copies carry.
        FilesFixtures.documents(source.resolve("documents"), 1200, 7);
        byte[] bytes = new byte[5 << 20];
        new Random(6).nextBytes(bytes);
        Files.write(source.resolve("media.bin"), bytes);
        Path primary = tmp.resolve("primary");
        try (Repository repository = Repository.init(LocalStorage.create(primary), PASSWORD,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            BackupService backups = new BackupService(repository);
            FilesSourceSpec spec = new FilesSourceSpec("files", source, List.of(), null);
            assertThat(backups.backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE).succeeded()).isTrue();
            Files.writeString(source.resolve("added later.txt"), "second snapshot");
            BackupResult second = backups.backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
            assertThat(second.succeeded()).isTrue();
        }
        return primary;
    }

    private void restoreLatestFrom(Storage copy, Path source, Path target) throws IOException {
        try (Repository repository = Repository.open(copy, PASSWORD)) {
            assertThat(repository.snapshots()).hasSize(2);
            assertThat(repository.check(true, ProgressListener.NONE).errors()).isEmpty();
            new RestoreService(repository).restore(new RestoreRequest("files", null, null, List.of(), target,
                    false, false), ProgressListener.NONE);
        }
        FilesFixtures.assertSameTree(source, target);
    }

    @Test
    @DisplayName("copies a local repository to S3 and SFTP; with the primary deleted, each copy restores the latest snapshot")
    void copyThenRestoreFromEachCopy() throws IOException {
        Path source = tmp.resolve("src");
        Path primary = primaryWithTwoSnapshots(source);
        String name = "full-" + NAMES.incrementAndGet();
        try (Storage toS3 = s3Copy(name); Storage toSftp = sftpCopy(name);
             Repository repository = Repository.open(new LocalStorage(primary), PASSWORD)) {
            CopyResult result = new CopyService(repository).copy(new CopyRequest(List.of(
                    new CopyRequest.Destination("offsite", toS3), new CopyRequest.Destination("nas", toSftp))),
                    ProgressListener.NONE);
            assertThat(result.succeeded()).as("%s", result).isTrue();
            for (CopyResult.DestinationResult d : result.destinations()) {
                assertThat(d.copiedObjects()).isGreaterThan(5);
                assertThat(d.presentObjects()).isZero();
                assertThat(d.snapshots()).isEqualTo(2);
            }
            assertThat(toS3.stat(io.restorekit.storage.Handle.config()).size()).isPositive();
            assertThat(listCount(toS3, Kind.LOCK)).isZero();
            assertThat(listCount(toS3, Kind.DICT)).isEqualTo(listCount(repository.storage(), Kind.DICT)).isEqualTo(1);
            assertThat(listCount(toSftp, Kind.DICT)).isEqualTo(1);

            CopyResult again = new CopyService(repository).copy(new CopyRequest(List.of(
                    new CopyRequest.Destination("offsite", toS3))), ProgressListener.NONE);
            assertThat(again.destinations().get(0).copiedObjects()).isZero();
            assertThat(again.destinations().get(0).presentObjects())
                    .isEqualTo(result.destinations().get(0).copiedObjects());
        }
        FileSystemUtils.deleteRecursively(primary);

        try (Storage fromS3 = s3Copy(name)) {
            restoreLatestFrom(fromS3, source, tmp.resolve("from-s3"));
        }
        try (Storage fromSftp = sftpCopy(name)) {
            restoreLatestFrom(fromSftp, source, tmp.resolve("from-sftp"));
        }
    }

    @Test
    @DisplayName("a copy interrupted midway holds no snapshot, still opens and verifies, and the next run completes it")
    void interruptedCopyResumes() throws IOException {
        Path source = tmp.resolve("src");
        Path primary = primaryWithTwoSnapshots(source);
        String name = "resumed-" + NAMES.incrementAndGet();
        try (Repository repository = Repository.open(new LocalStorage(primary), PASSWORD);
             Storage destination = sftpCopy(name)) {
            FaultyStorage failing = FaultyStorage.wrap(destination).failFrom(FaultyStorage.Op.SAVE, 6);
            CopyResult broken = new CopyService(repository, 1).copy(new CopyRequest(List.of(
                    new CopyRequest.Destination("nas", failing))), ProgressListener.NONE);
            assertThat(broken.succeeded()).isFalse();
            assertThat(broken.code()).isEqualTo(ErrorCode.FAILED);
            assertThat(broken.destinations().get(0).error()).contains("run 'rk copy' again to resume");
            assertThat(broken.destinations().get(0).snapshots()).isZero();
            try (Repository partial = Repository.open(sftpCopy(name), PASSWORD)) {
                assertThat(partial.snapshots()).isEmpty();
                assertThat(partial.check(true, ProgressListener.NONE).errors()).isEmpty();
            }

            CopyResult resumed = new CopyService(repository).copy(new CopyRequest(List.of(
                    new CopyRequest.Destination("nas", destination))), ProgressListener.NONE);
            assertThat(resumed.succeeded()).as("%s", resumed).isTrue();
            assertThat(resumed.destinations().get(0).presentObjects()).isPositive();
            assertThat(resumed.destinations().get(0).snapshots()).isEqualTo(2);
        }
        try (Storage copy = sftpCopy(name)) {
            restoreLatestFrom(copy, source, tmp.resolve("out"));
        }
    }

    private static int listCount(Storage storage, Kind kind) throws IOException {
        int[] count = {0};
        storage.list(kind, info -> count[0]++);
        return count[0];
    }
}
