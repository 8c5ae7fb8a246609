package io.restorekit.repository;

import io.restorekit.storage.Kind;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.restorekit.repository.RepositoryTest.OPTIONS;
import static io.restorekit.repository.RepositoryTest.PASSWORD;
import static io.restorekit.repository.RepositoryTest.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Repository locks and keys")
class LocksAndKeysTest {

    @Test
    @DisplayName("shared locks coexist; exclusive and overlapping backups conflict, naming the holder")
    void conflicts() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            try (RepositoryLock backup = repo.lock(LockRequest.backup(List.of("db", "uploads")));
                 RepositoryLock verify = repo.lock(LockRequest.shared("verify"));
                 RepositoryLock other = repo.lock(LockRequest.backup(List.of("config")))) {
                assertThat(repo.locks()).hasSize(3).noneMatch(LockInfo::stale);
                assertThatThrownBy(() -> repo.lock(LockRequest.backup(List.of("uploads"))))
                        .isInstanceOf(RepositoryLockedException.class)
                        .hasMessageContaining("is locked by backup of db, uploads on host '" + Repository.host() + "'")
                        .hasMessageContaining("(pid " + ProcessHandle.current().pid())
                        .hasMessageContaining("wait, or run 'rk unlock' if that process is gone");
                assertThatThrownBy(() -> repo.lock(LockRequest.exclusive("prune")))
                        .isInstanceOf(RepositoryLockedException.class);
                assertThat(count(storage, Kind.LOCK)).isEqualTo(3);
            }
            assertThat(count(storage, Kind.LOCK)).isZero();
            try (RepositoryLock prune = repo.lock(LockRequest.exclusive("prune"))) {
                assertThatThrownBy(() -> repo.lock(LockRequest.shared("restore")))
                        .isInstanceOf(RepositoryLockedException.class)
                        .hasMessageContaining("locked by prune");
                assertThat(count(storage, Kind.LOCK)).isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("locks older than 30 minutes or of a dead process on this host are stale: ignored and removable")
    void stale() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long deadPid = p.pid();
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            var now = repo.clock.instant();
            repo.locks.write(new Locks.LockFile(true, "prune", List.of(), Repository.host(), deadPid, "root", now));
            repo.locks.write(new Locks.LockFile(true, "prune", List.of(), "elsewhere", 1, "root",
                    now.minus(Duration.ofMinutes(31))));
            String live = repo.locks.write(new Locks.LockFile(false, "backup", List.of("db"), "elsewhere", 1, "root",
                    now.minus(Duration.ofMinutes(10))));
            assertThat(repo.locks()).extracting(LockInfo::stale).containsExactlyInAnyOrder(true, true, false);
            try (RepositoryLock restore = repo.lock(LockRequest.shared("restore"))) {
                assertThat(repo.locks()).hasSize(4);
            }
            assertThatThrownBy(() -> repo.lock(LockRequest.backup(List.of("db"))))
                    .isInstanceOf(RepositoryLockedException.class).hasMessageContaining("host 'elsewhere'");
            assertThat(repo.removeStaleLocks()).isEqualTo(2);
            assertThat(repo.locks()).extracting(LockInfo::id).containsExactly(live);
        }
    }

    @Test
    @DisplayName("adds a password, changes one, removes keys but never the last or the one in use")
    void keys() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        char[] second = "second".toCharArray();
        char[] third = "third".toCharArray();
        String repoId;
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            repoId = repo.id();
            KeyManager keys = repo.keys();
            assertThat(keys.list()).hasSize(1).allMatch(KeyManager.KeyInfo::current);
            KeyManager.KeyInfo added = keys.add(second);
            assertThat(keys.list()).hasSize(2);
            assertThat(keys.list()).filteredOn(KeyManager.KeyInfo::current).hasSize(1);
            String current = keys.list().stream().filter(KeyManager.KeyInfo::current).findFirst().orElseThrow().id();
            assertThatThrownBy(() -> keys.remove(current.substring(0, 10)))
                    .hasMessageContaining("is the one in use");
            keys.changePassword(third);
            assertThat(keys.list()).hasSize(2).extracting(KeyManager.KeyInfo::id).doesNotContain(current)
                    .contains(added.id());
        }
        assertThatThrownBy(() -> Repository.open(storage, PASSWORD)).isInstanceOf(WrongPasswordException.class)
                .hasMessageContaining("no key of its 2 keys");
        try (Repository repo = Repository.open(storage, second)) {
            assertThat(repo.id()).isEqualTo(repoId);
            String thirdId = repo.keys().list().stream().filter(k -> !k.current()).findFirst().orElseThrow().id();
            repo.keys().remove(thirdId);
            assertThat(repo.keys().list()).hasSize(1);
            assertThatThrownBy(() -> repo.keys().remove(repo.keys().list().get(0).id()))
                    .hasMessageContaining("last key");
            assertThat(count(storage, Kind.LOCK)).isZero();
        }
        assertThatThrownBy(() -> Repository.open(storage, third)).isInstanceOf(WrongPasswordException.class);
    }

    @Test
    @DisplayName("opens a repository whose key uses scrypt")
    void scrypt() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        var options = new RepositoryOptions(new RepositoryOptions.KdfParams("scrypt", 1024, 8, 1), 1 << 20);
        Repository.init(storage, PASSWORD, options).close();
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThat(repo.keys().list().get(0).kdf()).isEqualTo("scrypt");
        }
    }
}
