package io.restorekit.repository;

import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("unlock")
class UnlockStaleTest {
    static final char[] PASSWORD = "pw".toCharArray();
    static final RepositoryOptions OPTIONS = new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20);

    @Test
    @DisplayName("removes a dead prune's lock (naming its host, pid and time) and refuses to touch a live backup's")
    void staleOnly() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            Instant now = repo.clock.instant();
            repo.locks.write(new Locks.LockFile(true, "prune", List.of(), Repository.host(), p.pid(), "root", now));
            repo.locks.write(new Locks.LockFile(false, "backup", List.of("db"), "other-host", 77, "root",
                    now.minus(Duration.ofMinutes(45))));
            repo.locks.write(new Locks.LockFile(false, "backup", List.of("db"), "other-host", 78, "root",
                    now.minus(Duration.ofMinutes(2))));
            // The dead prune no longer blocks a backup; the live backup of db still does.
            repo.lock(LockRequest.backup(List.of("files"))).close();
            assertThatThrownBy(() -> repo.lock(LockRequest.exclusive("prune")))
                    .isInstanceOf(RepositoryLockedException.class).hasMessageContaining("pid 78");

            List<LockInfo> removed = repo.unlockStale();
            assertThat(removed).extracting(l -> l.host() + ":" + l.pid() + ":" + l.operation())
                    .containsExactlyInAnyOrder(Repository.host() + ":" + p.pid() + ":prune", "other-host:77:backup");
            assertThat(repo.locks()).singleElement().satisfies(l -> {
                assertThat(l.pid()).isEqualTo(78);
                assertThat(l.stale()).isFalse();
            });
            assertThat(repo.unlockStale()).isEmpty();
        }
    }
}
