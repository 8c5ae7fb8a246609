package io.restorekit.resilience;

import io.restorekit.common.ErrorCode;
import io.restorekit.repository.Repository;
import io.restorekit.repository.WrongPasswordException;
import io.restorekit.storage.Kind;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("Opening a repository with a wrong password")
class WrongPasswordTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("fails with exit code 5 and writes nothing to the repository, not even a lock")
    void wrongPassword() throws IOException {
        Path repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, 1 << 20);
        Path source = tmp.resolve("src");
        Resilience.randomTree(source, 3, 8, 1_000, 50_000);
        try (Repository repository = Resilience.open(repoDir)) {
            Resilience.backupOk(repository, Resilience.source("uploads", source));
            repository.keys().add("second password".toCharArray());
        }
        Map<String, String> before = Resilience.everyObject(repoDir);
        Map<String, Long> times = modified(repoDir);
        assertThat(before.keySet()).anyMatch(p -> p.startsWith("snapshots/")).anyMatch(p -> p.startsWith("data/"))
                .filteredOn(p -> p.startsWith("keys/")).hasSize(2);

        for (String wrong : new String[] {"wrong", "", "correct horse ", "CORRECT HORSE"}) {
            WrongPasswordException e = catchThrowableOfType(
                    () -> Repository.open(new LocalStorage(repoDir), wrong.toCharArray()),
                    WrongPasswordException.class);
            assertThat(e).as("password '%s'", wrong).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.WRONG_PASSWORD);
            assertThat(e.code().exitCode()).isEqualTo(5);
            assertThat(e.getMessage()).contains("wrong password").contains(repoDir.toString())
                    .contains("2 keys");
        }

        assertThat(Resilience.everyObject(repoDir)).isEqualTo(before);
        assertThat(modified(repoDir)).isEqualTo(times);
        assertThat(Resilience.count(new LocalStorage(repoDir), Kind.LOCK)).isZero();
        try (Stream<Path> locks = Files.list(repoDir.resolve("locks"))) {
            assertThat(locks).isEmpty();
        }
        // Either password still opens it.
        Repository.open(new LocalStorage(repoDir), "second password".toCharArray()).close();
        try (Repository repository = Resilience.open(repoDir)) {
            assertThat(repository.snapshots()).hasSize(1);
        }
    }

    /** Every path under the folder, folders included, with its modification time. */
    private static Map<String, Long> modified(Path root) throws IOException {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                out.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }
}
