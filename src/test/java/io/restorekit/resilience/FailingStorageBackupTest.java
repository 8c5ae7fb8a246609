package io.restorekit.resilience;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.ErrorCode;
import io.restorekit.repository.Repository;
import io.restorekit.storage.Capabilities;
import io.restorekit.storage.FaultyStorage;
import io.restorekit.storage.FaultyStorage.Op;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup whose storage fails one save: the lock, a data pack, an index file written mid-run, the
 * tree pack, the final index, or the snapshot. Every case must fail cleanly and leave a
 * repository that verifies, and the next backup must complete and restore.
 */
@DisplayName("A backup whose storage fails one save")
class FailingStorageBackupTest {
    /** Packs of one file each, so a run writes more than 8 packs and thus an index file mid-run. */
    private static final int PACK_SIZE = 8 << 10;

    @TempDir
    static Path shared;
    static Path source;
    /** The kind of each save of a healthy backup, in order (index 0 is save #1). */
    static List<Kind> saves;

    @BeforeAll
    static void sourceAndHealthyRun() throws IOException {
        source = shared.resolve("src");
        Resilience.randomTree(source, 77, 12, 10_000, 20_000);
        Path repoDir = shared.resolve("healthy");
        Resilience.initRepository(repoDir, PACK_SIZE);
        SaveLog log = new SaveLog(new LocalStorage(repoDir));
        try (Repository repository = Resilience.open(log)) {
            assertThat(backup(repository).succeeded()).isTrue();
        }
        saves = List.copyOf(log.kinds);
        assertThat(saves.get(0)).isEqualTo(Kind.LOCK);
        assertThat(saves.get(saves.size() - 1)).isEqualTo(Kind.SNAPSHOT);
        assertThat(saves.subList(1, 9)).containsOnly(Kind.PACK);
        assertThat(saves.get(9)).as("an index file after 8 packs").isEqualTo(Kind.INDEX);
    }

    @TestFactory
    @DisplayName("a save that fails before storing anything")
    Stream<DynamicTest> failsBeforeStoring() {
        return cases("fails", (n) -> f -> f.failOn(Op.SAVE, n));
    }

    @TestFactory
    @DisplayName("a save whose upload breaks midway (the first save of each kind in the sequence)")
    Stream<DynamicTest> breaksMidway() {
        return cases("breaks midway", n -> f -> f.failSaveMidway(n, 64))
                .filter(t -> t.getDisplayName().contains("#1 ") || firstOfRun(t.getDisplayName()));
    }

    private static boolean firstOfRun(String name) {
        int n = Integer.parseInt(name.substring(name.indexOf('#') + 1, name.indexOf(' ', name.indexOf('#'))));
        return n == 1 || saves.get(n - 1) != saves.get(n - 2) || n == saves.size() - 2;
    }

    @Test
    @DisplayName("a lock save whose answer is lost leaves no lock behind: the next backup in the same process runs")
    void lockSavedButReportedFailed() throws IOException {
        Path repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, PACK_SIZE);
        FaultyStorage faulty = FaultyStorage.wrap(new LocalStorage(repoDir)).failSaveAfterStoring(1);
        try (Repository repository = Resilience.open(faulty)) {
            BackupResult failed = backup(repository);
            assertThat(failed.code()).isEqualTo(ErrorCode.FAILED);
            assertThat(failed.sources().get(0).error()).contains("locks/");
            assertThat(Resilience.count(faulty, Kind.LOCK)).isZero();

            BackupResult next = backup(repository);
            assertThat(next.succeeded()).as("%s", next.sources().get(0).error()).isTrue();
            Resilience.restoreAll(repository, "uploads", next.sources().get(0).snapshotId(), tmp.resolve("out"));
            Resilience.assertRestored(source, tmp.resolve("out"));
        }
    }

    interface Fault {
        UnaryOperator<FaultyStorage> at(int n);
    }

    private Stream<DynamicTest> cases(String what, Fault fault) {
        List<DynamicTest> tests = new ArrayList<>();
        for (int n = 1; n <= saves.size(); n++) {
            int nth = n;
            Kind kind = saves.get(n - 1);
            tests.add(DynamicTest.dynamicTest("save #" + n + " (" + kind.folder() + ") " + what,
                    () -> failingSave(nth, kind, fault.at(nth))));
        }
        return tests.stream();
    }

    @TempDir
    Path tmp;

    private void failingSave(int n, Kind kind, UnaryOperator<FaultyStorage> fault) throws IOException {
        // Dynamic tests of one factory share its temporary folder.
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("save-" + n));
        Path repoDir = dir.resolve("repo");
        Resilience.initRepository(repoDir, PACK_SIZE);
        FaultyStorage faulty = fault.apply(FaultyStorage.wrap(new LocalStorage(repoDir)));

        try (Repository repository = Resilience.open(faulty)) {
            BackupResult failed = backup(repository);
            assertThat(failed.succeeded()).isFalse();
            BackupResult.SourceResult r = failed.sources().get(0);
            assertThat(r.snapshotId()).isNull();
            assertThat(failed.code()).isEqualTo(ErrorCode.FAILED);
            assertThat(failed.code().exitCode()).isEqualTo(1);
            // One operator-facing line naming the source and the object, not a Java stack trace.
            assertThat(r.error()).startsWith("backup of source 'uploads' failed: ")
                    .contains(FaultyStorage.INJECTED).contains(kind.folder() + "/")
                    .doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        }
        faulty.heal();

        assertThat(Resilience.temporaryFiles(repoDir)).isEmpty();
        assertThat(Resilience.count(faulty, Kind.LOCK)).as("lock files left").isZero();
        assertThat(Resilience.count(faulty, Kind.SNAPSHOT)).isZero();
        try (Repository repository = Resilience.open(faulty)) {
            VerifyReport report = Resilience.verify(repository, true);
            assertThat(report.problems()).allMatch(p -> p.severity() == VerifyReport.Severity.WARNING
                    && p.message().startsWith("unreferenced pack"));

            BackupResult healed = backup(repository);
            assertThat(healed.succeeded()).as("backup after healing: %s", healed.sources().get(0).error()).isTrue();
            BackupResult.SourceResult next = healed.sources().get(0);
            Path out = dir.resolve("out");
            Resilience.restoreAll(repository, "uploads", next.snapshotId(), out);
            Resilience.assertRestored(source, out);
            assertThat(Resilience.verify(repository, false).ok()).isTrue();
        }
    }

    /** One file-reading thread: packs fill in the same order on every run, so save #n is always the same object. */
    private static BackupResult backup(Repository repository) {
        return new BackupService(repository, Clock.systemUTC(), 1).backup(
                BackupRequest.of(List.of(Resilience.source("uploads", source))), ProgressListener.NONE);
    }

    /** Records the kind of every save, in the order they complete. */
    static final class SaveLog implements Storage {
        final List<Kind> kinds = Collections.synchronizedList(new ArrayList<>());
        private final Storage inner;

        SaveLog(Storage inner) {
            this.inner = inner;
        }

        @Override
        public String location() {
            return inner.location();
        }

        @Override
        public Capabilities capabilities() {
            return inner.capabilities();
        }

        @Override
        public void save(Handle handle, Payload payload) throws IOException {
            kinds.add(handle.kind());
            inner.save(handle, payload);
        }

        @Override
        public java.io.InputStream open(Handle handle, long offset, long length) throws IOException {
            return inner.open(handle, offset, length);
        }

        @Override
        public io.restorekit.storage.FileInfo stat(Handle handle) throws IOException {
            return inner.stat(handle);
        }

        @Override
        public void list(Kind kind, java.util.function.Consumer<io.restorekit.storage.FileInfo> each)
                throws IOException {
            inner.list(kind, each);
        }

        @Override
        public void remove(Handle handle) throws IOException {
            inner.remove(handle);
        }
    }
}
