package io.restorekit.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The copy command against local folders: the transfer itself is covered by CopyServiceTest. */
class CopyCommandTest {
    private static final String PASSWORD = "pw";

    @TempDir
    Path dir;
    List<RepositorySession> sessions = new ArrayList<>();

    @AfterEach
    void close() {
        sessions.forEach(RepositorySession::close);
    }

    private RepositorySession session() {
        Map<String, String> env = Map.of("RK_PASSWORD", PASSWORD, "RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString());
        RepositorySession s = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(env),
                new PasswordProvider(env, prompt -> null));
        sessions.add(s);
        return s;
    }

    @Test
    @DisplayName("copy --to NAME brings one copy up to date, prints a table or JSON, and a second run copies nothing")
    void copyCommand() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                copies:
                  - {name: usb, url: usb-drive/rk}
                  - {name: other, url: other}
                sources:
                  - {name: files, type: files, path: data}
                """);
        try (Repository repository = Repository.init(LocalStorage.create(dir.resolve("repo")), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            new BackupService(repository).backup(BackupRequest.of(List.of(new FilesSourceSpec("files", data, List.of(),
                    null))), ProgressListener.NONE);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Interaction interaction = Interaction.unattended(new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        RepositorySession session = session();

        String table = new CopyCommand(session, new StorageFactory(), interaction).copy(List.of("usb"), false, null);
        assertThat(table).contains("COPY").contains("usb").contains("up to date").doesNotContain("other");
        assertThat(dir.resolve("usb-drive/rk/config")).exists();
        assertThat(dir.resolve("other")).doesNotExist();

        JsonNode again = new ObjectMapper().readTree(new CopyCommand(session, new StorageFactory(), interaction)
                .copy(List.of("usb"), true, null));
        JsonNode usb = again.get("destinations").get(0);
        assertThat(usb.get("name").asText()).isEqualTo("usb");
        assertThat(usb.get("copiedObjects").asLong()).isZero();
        assertThat(usb.get("snapshots").asLong()).isEqualTo(1);

        assertThat(CommandsTest.exit(() -> new CopyCommand(session, new StorageFactory(), interaction)
                .copy(List.of("nope"), false, null))).isEqualTo(2);

        VerifyCommand verify = new VerifyCommand(session, interaction);
        assertThat(verify.verify(null, true, "usb", false)).contains("no problems found");
        try (var packs = Files.walk(dir.resolve("usb-drive/rk/data"))) {
            Path pack = packs.filter(Files::isRegularFile).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(pack);
            bytes[bytes.length / 3] ^= 1;
            pack.toFile().setWritable(true);
            Files.write(pack, bytes);
        }
        assertThat(CommandsTest.exit(() -> verify.verify(null, true, "usb", false))).isEqualTo(3);
        assertThat(verify.verify(null, true, null, false)).as("the primary is untouched").contains("no problems found");
        assertThat(CommandsTest.exit(() -> verify.verify(null, false, "nope", false))).isEqualTo(2);
    }
}
