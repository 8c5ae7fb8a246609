package io.restorekit.archive;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading exports back with the standard tools RESTORE_INSTRUCTIONS.md names: gpg, zstd, tar, psql, mariadb. */
public final class StandardTools {
    private StandardTools() {
    }

    /** Skips the test, visibly, unless every one of {@code tools} is installed. */
    public static void assume(String... tools) throws Exception {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() != 0) {
                missing.add(tool);
            }
        }
        Assumptions.assumeTrue(missing.isEmpty(), "not installed: " + missing
                + " (CI installs them; Debian: apt-get install gnupg zstd postgresql-client); this standard-tools check is"
                + " skipped");
    }

    /** A {@code gpg --decrypt} command line with its own home under {@code tmp} and {@code passphrase} in a file. */
    public static String gpgDecrypt(Path tmp, char[] passphrase) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("gnupg"));
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path pass = tmp.resolve("passphrase");
        Files.writeString(pass, new String(passphrase) + "\n");
        return "gpg --batch --quiet --homedir '" + home + "' --pinentry-mode loopback --passphrase-file '" + pass
                + "' --decrypt";
    }

    /** Runs {@code command} with bash (pipefail) in {@code dir}; asserts it succeeds and returns its output. */
    public static String run(Path dir, String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(command + "\n" + out).isZero();
        return out;
    }
}
