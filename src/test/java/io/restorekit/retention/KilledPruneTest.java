package io.restorekit.retention;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.ForwardingStorage;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Prune killed before each of its writes and deletions in turn (the process dies: that call and
 * every later one never reach the storage; saves are atomic, so that is every state a kill can
 * leave). After each kill the repository verifies with --read-data and every kept snapshot
 * restores as before; a prune then run to the end leaves it verifying and restoring as well.
 */
@DisplayName("A prune killed at every step")
class KilledPruneTest {
    @TempDir
    static Path shared;
    static Path afterForget;
    static Path afterMarking;
    static Map<String, Map<String, String>> kept;

    @TempDir
    Path tmp;

    @BeforeAll
    static void repository() throws IOException {
        afterForget = shared.resolve("after-forget");
        try (Repository r = PruneFixture.init(afterForget)) {
            PruneFixture.dailyBackups(r, shared.resolve("src"), 8, 11);
            new ForgetService(r, new InMemoryCatalog(), Clock.systemUTC()).forget(new ForgetRequest(
                    PruneServiceTest.KEEP_LAST_4, false, ZoneOffset.UTC), ProgressListener.NONE);
            kept = PruneFixture.restoreAll(r, shared.resolve("expected"));
        }
        assertThat(kept).hasSize(4);
        afterMarking = shared.resolve("after-marking");
        PruneFixture.copyTree(afterForget, afterMarking);
        try (Repository r = PruneFixture.open(new LocalStorage(afterMarking))) {
            PruneResult marked = prune(r, new InMemoryCatalog(), Duration.ofHours(1));
            assertThat(marked.report().markedPacks()).isPositive();
            assertThat(marked.report().repackedPacks()).isPositive();
        }
    }

    static PruneResult prune(Repository r, InMemoryCatalog catalog, Duration grace) {
        return new PruneService(r, catalog, Clock.systemUTC()).prune(new PruneRequest(false, 0.3, grace),
                ProgressListener.NONE);
    }

    @Test
    @DisplayName("marking and deleting in one run (no grace period): repack, index, deletions")
    void oneRun() throws IOException {
        killEverywhere(afterForget, Duration.ZERO);
    }

    @Test
    @DisplayName("the first phase: repacking and marking")
    void marking() throws IOException {
        killEverywhere(afterForget, Duration.ofHours(1));
    }

    @Test
    @DisplayName("the second phase: deleting what an earlier prune marked")
    void deletingMarked() throws IOException {
        killEverywhere(afterMarking, Duration.ZERO);
    }

    private void killEverywhere(Path template, Duration grace) throws IOException {
        Path counting = tmp.resolve("count");
        PruneFixture.copyTree(template, counting);
        Dying probe = new Dying(new LocalStorage(counting), Integer.MAX_VALUE);
        try (Repository r = PruneFixture.open(probe)) {
            prune(r, new InMemoryCatalog(), grace);
        }
        int steps = probe.writes.get();
        assertThat(steps).as("writes and deletions of one prune").isGreaterThan(3);
        System.err.println("prune with grace " + grace + " from " + template.getFileName() + ": killed before each of "
                + steps + " steps");

        for (int kill = 1; kill <= steps; kill++) {
            Path dir = tmp.resolve("kill-" + kill);
            PruneFixture.copyTree(template, dir);
            InMemoryCatalog catalog = new InMemoryCatalog();
            Dying dying = new Dying(new LocalStorage(dir), kill);
            Repository r = PruneFixture.open(dying);
            assertThatThrownBy(() -> prune(r, catalog, grace)).as("kill before step %d", kill)
                    .isInstanceOf(Killed.class);
            // The last step is the removal of prune's lock, after the run was recorded as done.
            RunStatus recorded = kill < steps ? RunStatus.RUNNING : RunStatus.SUCCEEDED;
            assertThat(catalog.runs(RunQuery.of(RunKind.PRUNE))).singleElement()
                    .satisfies(run -> assertThat(run.status()).isEqualTo(recorded));

            try (Repository after = PruneFixture.open(new LocalStorage(dir))) {
                after.removeAllLocks();
                PruneFixture.assertVerifies(after);
                assertThat(PruneFixture.restoreAll(after, tmp.resolve("restore-" + kill + "a")))
                        .as("restores after a kill before step %d", kill).isEqualTo(kept);
                prune(after, catalog, Duration.ZERO);
                PruneFixture.assertVerifies(after);
                assertThat(PruneFixture.restoreAll(after, tmp.resolve("restore-" + kill + "b")))
                        .as("restores after the prune that followed a kill before step %d", kill).isEqualTo(kept);
                assertThat(after.packsAwaitingDeletion()).isEmpty();
            }
        }
    }

    /** The process dies at its n-th write or deletion: that call and every later one fail. */
    static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    static final class Dying extends ForwardingStorage {
        final AtomicInteger writes = new AtomicInteger();
        final int killAt;
        volatile boolean dead;

        Dying(Storage inner, int killAt) {
            super(inner);
            this.killAt = killAt;
        }

        private void step() {
            alive();
            if (writes.incrementAndGet() >= killAt) {
                dead = true;
                throw new Killed();
            }
        }

        private void alive() {
            if (dead) {
                throw new Killed();
            }
        }

        @Override
        public void save(Handle handle, Payload payload) throws IOException {
            step();
            super.save(handle, payload);
        }

        @Override
        public void remove(Handle handle) throws IOException {
            step();
            super.remove(handle);
        }

        @Override
        public InputStream open(Handle handle, long offset, long length) throws IOException {
            alive();
            return super.open(handle, offset, length);
        }

        @Override
        public FileInfo stat(Handle handle) throws IOException {
            alive();
            return super.stat(handle);
        }

        @Override
        public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
            alive();
            super.list(kind, each);
        }

        @Override
        public byte[] readAll(Handle handle) throws IOException {
            alive();
            return super.readAll(handle);
        }
    }
}
