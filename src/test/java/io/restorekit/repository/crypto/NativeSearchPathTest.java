package io.restorekit.repository.crypto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class NativeSearchPathTest {
    @Test
    void standardAndConfiguredFoldersThatExistInJnasOrder(@TempDir Path root) throws Exception {
        for (String d : new String[] {"usr/lib/x86_64-linux-gnu", "lib64", "usr/lib", "opt/vendor/lib",
                "usr/local/lib", "etc/ld.so.conf.d"}) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("etc/ld.so.conf"), "# comment\ninclude /etc/ld.so.conf.d/*.conf\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/b.conf"), "/opt/vendor/lib  # trailing\n/opt/missing\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/a.conf"), "/usr/local/lib\n");
        Files.writeString(root.resolve("etc/ld.so.conf.d/ignored.txt"), "/should/not/appear\n");

        assertThat(NativeSearchPath.folders(root, "amd64")).containsExactly("/usr/lib/x86_64-linux-gnu", "/lib64",
                "/usr/lib", "/usr/local/lib", "/opt/vendor/lib");
        assertThat(NativeSearchPath.folders(root, "sparc")).containsExactly("/lib64", "/usr/lib", "/usr/local/lib",
                "/opt/vendor/lib");
    }

    @Test
    void theNativeLibrariesStillLoadThroughIt() {
        // Set before JNA's first library search, the folders must still hold libcrypto where the
        // machine has it (.ci/run installs it); libargon2 is the system's or the one in argon2-jvm.
        NativeSearchPath.prepare();
        assertThat(System.getProperty(NativeSearchPath.PROPERTY)).contains("/usr/lib");
        if (Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))) {
            assertThat(OpenSsl.available()).isTrue();
        }
        assertThat(NativeArgon2id.available()).isTrue();
    }
}
