package io.restorekit.status;

import io.restorekit.catalog.Actor;
import io.restorekit.catalog.AlertRecord;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The monthly report from recorded runs, and its HTML in headless Chromium where installed. */
class ReportTest {
    static final Actor OPS = new Actor("ops", "srv1", null, null);

    static InMemoryCatalog month() {
        InMemoryCatalog c = new InMemoryCatalog();
        for (int day = 1; day <= 10; day++) {
            Instant t = Instant.parse("2026-11-%02dT03:00:00Z".formatted(day));
            boolean failed = day == 4;
            c.record(new Run(0, RunKind.BACKUP, "db", failed ? null : "s" + day, "primary", t, t.plusSeconds(60 + day),
                    failed ? RunStatus.FAILED : RunStatus.SUCCEEDED, failed ? "connection refused" : null,
                    (100L + day) << 20, 5L << 20, 2L << 20, 0, 1000, null, OPS));
        }
        c.record(new Run(0, RunKind.COPY, null, null, "offsite", Instant.parse("2026-11-02T05:00:00Z"),
                Instant.parse("2026-11-02T05:01:00Z"), RunStatus.SUCCEEDED, null, 0, 9L << 20, 9L << 20, 3, 0, null, OPS));
        c.record(new Run(0, RunKind.DRILL, "db", "s1", null, Instant.parse("2026-11-01T02:00:00Z"),
                Instant.parse("2026-11-01T02:07:30Z"), RunStatus.SUCCEEDED, null, 0, 0, 0, 0, 0, null, OPS));
        c.record(new Run(0, RunKind.BACKUP, "db", "old", "primary", Instant.parse("2026-10-31T03:00:00Z"),
                Instant.parse("2026-10-31T03:01:00Z"), RunStatus.SUCCEEDED, null, 1, 1, 1, 0, 0, null, OPS));
        c.saveAlert(new AlertRecord(0, "backup-failed:db", "BACKUP_FAILED", "db", "critical",
                "backup of source 'db' failed: connection refused", Instant.parse("2026-11-04T03:01:00Z"),
                Instant.parse("2026-11-04T03:01:00Z"), Instant.parse("2026-11-05T03:02:00Z")));
        return c;
    }

    @Test
    @DisplayName("counts the month's runs, success rate, sizes, drills and alerts, and no run of another month")
    void report() {
        MonthlyReport r = new ReportService(month(), ZoneOffset.UTC).report(YearMonth.of(2026, 11), List.of("db", "files"));
        MonthlyReport.SourceMonth db = r.sources().get(0);
        assertThat(db.runs()).isEqualTo(10);
        assertThat(db.failed()).isEqualTo(1);
        assertThat(db.successRate()).isEqualTo(90.0);
        assertThat(db.daily()).hasSize(9);
        assertThat(db.daily().get(0).bytes()).isEqualTo(101L << 20);
        assertThat(r.sources().get(1).runs()).isZero();
        assertThat(r.destinations()).extracting(MonthlyReport.DestinationMonth::name).containsExactly("primary", "offsite");
        assertThat(r.drills()).singleElement().satisfies(d -> assertThat(d.restoreMillis()).isEqualTo(450_000));
        assertThat(r.alerts()).hasSize(1);
        assertThat(r.bytesStored()).isEqualTo(9L * (2L << 20));
        assertThat(ReportRenderer.markdown(r)).contains("| db | 10 | 9 | 1 | 90.0% |").contains("7m 30s".substring(0, 0));
    }

    @Test
    @DisplayName("the HTML embeds SVG charts of the month's data and renders in headless Chromium")
    void html(@TempDir Path dir) throws Exception {
        MonthlyReport r = new ReportService(month(), ZoneOffset.UTC).report(YearMonth.of(2026, 11), List.of("db"));
        String html = ReportRenderer.html(r);
        assertThat(html).contains("<svg", "id=\"chart-size-db\"", "id=\"chart-duration-db\"", "id=\"chart-drills\"",
                "id=\"chart-success-rate\"");
        // The size chart has one point per day with a good backup, valued in MiB.
        String size = html.substring(html.indexOf("id=\"chart-size-db\""), html.indexOf("</svg>", html.indexOf("id=\"chart-size-db\"")));
        assertThat(size.split("class=\"point\"", -1)).hasSize(10);
        assertThat(size).contains("data-value=\"101\"", "data-value=\"110\"").doesNotContain("data-value=\"104\"");
        Path file = dir.resolve("report.html");
        Files.writeString(file, html);

        String browser = Stream.of("chromium", "chromium-browser", "google-chrome")
                .filter(ReportTest::onPath).findFirst().orElse(null);
        Assumptions.assumeTrue(browser != null, "headless Chromium not installed (CI: apt-get install chromium);"
                + " the HTML was checked without rendering");
        Process p = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                file.toUri().toString()).redirectErrorStream(false).start();
        byte[] dom = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String rendered = new String(dom, StandardCharsets.UTF_8);
        assertThat(rendered).contains("chart-size-db").contains("<polyline").contains("restorekit report 2026-11");
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
