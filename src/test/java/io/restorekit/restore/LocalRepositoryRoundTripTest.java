package io.restorekit.restore;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRepositoryRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("a tree backed up into a folder repository restores after the repository is reopened")
    void reopenAndRestore() throws IOException {
        Path src = tmp.resolve("src");
        FilesFixtures.sampleTree(src, 11);
        FilesSourceSpec spec = new FilesSourceSpec("files", src, List.of(), null);
        char[] password = "pw".toCharArray();
        String id;
        try (Repository repository = Repository.init(LocalStorage.create(tmp.resolve("repo")), password,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            BackupResult r = new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
            assertThat(r.succeeded()).isTrue();
            id = r.sources().get(0).snapshotId();
        }
        try (Repository repository = Repository.open(new LocalStorage(tmp.resolve("repo")), password)) {
            RestoreResult r = new RestoreService(repository).restore(new RestoreRequest("files", id.substring(0, 6),
                    null, List.of(), tmp.resolve("out"), false, false), ProgressListener.NONE);
            assertThat(r.filesWritten()).isEqualTo(12);
        }
        FilesFixtures.assertSameTree(src, tmp.resolve("out"));
    }
}
