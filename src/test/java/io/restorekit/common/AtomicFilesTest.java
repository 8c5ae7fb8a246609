package io.restorekit.common;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private long entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    @DisplayName("creates the folder and the file, then replaces it whole; no temporary file stays")
    void writesAndReplaces() throws IOException {
        Path file = tmp.resolve("a/b/state.json");
        AtomicFiles.write(file, "first".getBytes(StandardCharsets.UTF_8));
        assertThat(file).hasContent("first");
        AtomicFiles.write(file, out -> out.write("second, longer".getBytes(StandardCharsets.UTF_8)));
        assertThat(file).hasContent("second, longer");
        assertThat(entries(file.getParent())).isEqualTo(1);
    }

    @Test
    @DisplayName("content that fails half-way leaves the old file as it was and nothing else")
    void failureKeepsOld() throws IOException {
        Path file = tmp.resolve("marker");
        AtomicFiles.write(file, "old".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(file).hasContent("old");
        assertThat(entries(tmp)).isEqualTo(1);
    }
}
