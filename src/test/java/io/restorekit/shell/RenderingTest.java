package io.restorekit.shell;

import io.restorekit.common.Sizes;
import io.restorekit.repository.Snapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class RenderingTest {

    @Test
    @DisplayName("a table aligns columns, right-aligns numbers and sizes, and has no trailing spaces")
    void table() {
        String out = new Table("ID", "SOURCE", "SIZE", "FILES", "TAGS")
                .row("1a2b3c4d", "uploads", Table.bytes(13_000_000), 1204L, "nightly")
                .row("9f8e7d6c", "db", Table.bytes(512), 7, "")
                .render();
        assertThat(out).isEqualTo("""
                ID        SOURCE       SIZE  FILES  TAGS
                1a2b3c4d  uploads  12.4 MiB   1204  nightly
                9f8e7d6c  db          512 B      7
                """);
    }

    @Test
    void humanSizes() {
        assertThat(List.of(Sizes.bytes(0), Sizes.bytes(1023), Sizes.bytes(1024), Sizes.bytes(1536),
                Sizes.bytes(150L << 20), Sizes.bytes(5L << 40), Sizes.bytes(-1)))
                .containsExactly("0 B", "1023 B", "1.0 KiB", "1.5 KiB", "150 MiB", "5.0 TiB", "?");
        assertThat(List.of(Sizes.duration(Duration.ofSeconds(42)), Sizes.duration(Duration.ofSeconds(185)),
                Sizes.duration(Duration.ofMinutes(130)))).containsExactly("42s", "3m05s", "2h10m");
    }

    @Test
    @DisplayName("--json renders java.time as ISO strings and omits nothing the listing needs")
    void json() {
        Snapshot s = new Snapshot("ab".repeat(32), 1, "uploads", "files", Instant.parse("2026-11-22T03:00:12Z"),
                "srv1", "root", "run1", List.of("nightly"), null, "/srv", null,
                new Snapshot.Summary(3, 1, 300, 100, 80, 0, 1500), List.of());
        String json = Json.render(List.of(RepositoryCommands.SnapshotView.of(s)));
        assertThat(json).contains("\"id\" : \"" + "ab".repeat(32) + "\"")
                .contains("\"time\" : \"2026-11-22T03:00:12Z\"")
                .contains("\"tags\" : [ \"nightly\" ]")
                .contains("\"bytes\" : 300");
        assertThat(Json.render(Duration.ofHours(4))).isEqualTo("\"PT4H\"");
    }

    @Test
    @DisplayName("progress redraws at most five times a second and shows bytes, items, rate and ETA")
    void progress() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        TerminalProgress p = new TerminalProgress(err, true, "backup", "files", now::get);
        p.total(10L << 20, 10);
        for (int i = 0; i < 50; i++) {
            now.addAndGet(10_000_000); // 10 ms each: 0.5 s in all
            p.advance(100 << 10, 0);
        }
        now.set(1_000_000_000);
        p.advance(0, 5);
        String drawn = buffer.toString(StandardCharsets.UTF_8);
        long redraws = drawn.chars().filter(c -> c == '\r').count();
        assertThat(redraws).isBetween(3L, 5L);
        assertThat(p.line()).isEqualTo("backup  4.9 MiB / 10.0 MiB  5 / 10 files  4.9 MiB/s  ETA 2s");
        p.warn("file vanished: a.txt");
        p.close();
        assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("rk: warning: file vanished: a.txt\n")
                .endsWith("\n");
    }

    @Test
    @DisplayName("progress is silent when not on a terminal")
    void silentProgress() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (TerminalProgress p = new TerminalProgress(new PrintStream(buffer), false, "backup", "files",
                System::nanoTime)) {
            p.total(100, 1);
            p.advance(100, 1);
        }
        assertThat(buffer.size()).isZero();
    }
}
