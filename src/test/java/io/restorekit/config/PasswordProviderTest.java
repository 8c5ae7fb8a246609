package io.restorekit.config;

import io.restorekit.common.RkException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordProviderTest {
    private static final PasswordProvider.Prompt NOBODY = prompt -> null;

    private static PasswordProvider.Prompt typing(String... answers) {
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(answers));
        return prompt -> queue.isEmpty() ? null : queue.poll().toCharArray();
    }

    @Test
    void environmentFirstThenFileThenPrompt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file\nignored\n");
        assertThat(new PasswordProvider(Map.of("RK_PASSWORD", "env", "RK_PASSWORD_FILE", file.toString()), NOBODY)
                .password("/b")).isEqualTo("env".toCharArray());
        assertThat(new PasswordProvider(Map.of("RK_PASSWORD_FILE", file.toString()), NOBODY).password("/b"))
                .isEqualTo("from-file".toCharArray());
        assertThat(new PasswordProvider(Map.of(), typing("typed")).password("/b")).isEqualTo("typed".toCharArray());
    }

    @Test
    void noPasswordAndNoTerminalIsExit5() {
        assertThatThrownBy(() -> new PasswordProvider(Map.of(), NOBODY).password("/b"))
                .isInstanceOf(RkException.class)
                .hasMessage("no repository password: set RK_PASSWORD or RK_PASSWORD_FILE")
                .satisfies(e -> assertThat(((RkException) e).code().exitCode()).isEqualTo(5));
    }

    @Test
    void unreadablePasswordFileNamesIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> new PasswordProvider(Map.of("RK_PASSWORD_FILE", missing.toString()), NOBODY)
                .password("/b")).hasMessage("RK_PASSWORD_FILE '" + missing
                + "' cannot be read (NoSuchFileException); check the path and its permissions");
    }

    @Test
    void newPasswordIsTypedTwice() {
        assertThat(new PasswordProvider(Map.of("RK_NEW_PASSWORD", "n"), NOBODY).newPassword("the new key"))
                .isEqualTo("n".toCharArray());
        assertThat(new PasswordProvider(Map.of(), typing("s3cret", "s3cret")).newPassword("the new key"))
                .isEqualTo("s3cret".toCharArray());
        assertThatThrownBy(() -> new PasswordProvider(Map.of(), typing("s3cret", "s3cre")).newPassword("the new key"))
                .hasMessage("the two passwords differ; nothing was changed");
        assertThatThrownBy(() -> new PasswordProvider(Map.of(), NOBODY).newPassword("the new key"))
                .hasMessage("no new password for the new key: set RK_NEW_PASSWORD or run this command in a terminal");
    }
}
