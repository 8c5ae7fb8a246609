package io.restorekit.demo;

import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoServiceTest {
    @TempDir
    Path home;

    final DemoService demo = new DemoService(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));

    @Test
    @DisplayName("the demo backs up twice, restores the deleted invoice as it was, and verifies every byte")
    void runsEndToEnd() throws Exception {
        DemoResult result = demo.run(home, ProgressListener.NONE);

        assertThat(result.identical()).isTrue();
        assertThat(result.verified()).isTrue();
        assertThat(Files.readString(result.restoredFile())).startsWith("<?xml").contains("number=\"42\"");
        assertThat(result.firstSnapshot()).isNotEqualTo(result.secondSnapshot());
        assertThat(result.steps()).extracting(DemoResult.Step::title).contains("verify --read-data");
        assertThat(result.steps().get(4).outcome()).contains("unchanged");
        assertThat(Files.readString(result.config())).contains("tenant-path");
        assertThat(Files.readString(result.passwordFile()).trim()).isEqualTo(DemoService.PASSWORD);
    }

    @Test
    @DisplayName("running the demo again starts afresh")
    void rerunStartsAfresh() {
        DemoResult first = demo.run(home, ProgressListener.NONE);
        DemoResult second = demo.run(home, ProgressListener.NONE);
        assertThat(second.identical()).isTrue();
        assertThat(second.home()).isEqualTo(first.home());
    }

    @Test
    @DisplayName("a demo folder that holds something else is left alone")
    void refusesForeignFolder() throws Exception {
        Files.createDirectories(home.resolve("demo"));
        Files.writeString(home.resolve("demo/important.txt"), "keep me");
        assertThatThrownBy(() -> demo.run(home, ProgressListener.NONE)).isInstanceOf(RkException.class)
                .hasMessageContaining("is not a restorekit demo");
        assertThat(Files.readString(home.resolve("demo/important.txt"))).isEqualTo("keep me");
    }
}
