package io.restorekit.demo;

import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.RkConfig;
import io.restorekit.source.postgres.PostgresSourceSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoServiceTest {
    @TempDir
    Path home;

    final DemoService demo = new DemoService(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));

    @Test
    @DisplayName("the demo backs up files and an embedded database twice, restores the deleted invoice file and"
            + " yesterday's database with every table equal, stops the server, and verifies every byte")
    void runsEndToEnd() throws Exception {
        DemoResult result = demo.run(home, ProgressListener.NONE);

        assertThat(result.identical()).isTrue();
        assertThat(result.verified()).isTrue();
        assertThat(Files.readString(result.restoredFile())).startsWith("<?xml").contains("number=\"42\"");
        assertThat(result.firstSnapshot()).isNotEqualTo(result.secondSnapshot());
        assertThat(result.steps()).extracting(DemoResult.Step::title).contains("verify --read-data",
                "stop the embedded PostgreSQL");
        DemoResult.Step second = step(result, "second backup");
        assertThat(second.outcome()).contains("unchanged").contains("db ");

        assertThat(result.databaseIdentical()).isTrue();
        assertThat(result.tenantRestored()).isTrue();
        assertThat(step(result, "tenant 2 deletes invoices").outcome()).startsWith("25 invoices of tenant 2");
        assertThat(step(result, "restore tenant 2's billing").outcome()).contains("equals the backup")
                .contains("tenants 1 and 3 untouched").contains("of table data");
        assertThat(result.tables()).extracting(DemoResult.TableMatch::table).containsExactlyInAnyOrder(
                "public.companies", "public.users", "public.invoices", "public.invoice_items", "public.receipts",
                "public.documents");
        assertThat(result.tables()).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        long rows = result.tables().stream().mapToLong(DemoResult.TableMatch::rows).sum();
        assertThat(rows).isBetween(2_000L, 10_000L);
        assertThat(step(result, "restore yesterday's database").outcome())
                .contains("every table's rows and digest match the snapshot")
                .contains("invoice INV-2026-0042 of tenant 2 is back");
        assertThat(home.resolve("demo/postgres")).doesNotExist();

        // The drill of the latest snapshots passed every check and cleaned up after itself.
        assertThat(result.drill().failures()).isEmpty();
        assertThat(result.drill().status()).isEqualTo(io.restorekit.catalog.RunStatus.SUCCEEDED);
        assertThat(result.drill().checks()).extracting(c -> c.name()).contains("table public.invoices",
                "check: every invoice belongs to a company", "restored files match their SHA-256");
        assertThat(result.drill().markdown()).contains("**Result: PASSED**");
        assertThat(io.restorekit.drill.DrillLeftovers.find(home.resolve("demo"))).isEmpty();

        // The demo configuration describes all three sources and loads.
        String yaml = Files.readString(result.config());
        assertThat(yaml).contains("tenant-path").contains("type: postgres").contains("stopped and removed");
        RkConfig config = new ConfigLoader(Map.of(), home).load(result.config());
        assertThat(config.sources()).extracting(s -> s.name()).containsExactly("uploads", "config", "db");
        assertThat(config.source("db")).isInstanceOf(PostgresSourceSpec.class);
        assertThat(Files.readString(result.passwordFile()).trim()).isEqualTo(DemoService.PASSWORD);
    }

    private static DemoResult.Step step(DemoResult result, String titleStart) {
        return result.steps().stream().filter(s -> s.title().startsWith(titleStart)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("running the demo again starts afresh, also after a run that left a database folder behind")
    void rerunStartsAfresh() throws Exception {
        Path previous = home.resolve("demo");
        Files.createDirectories(previous.resolve("postgres/base"));
        Files.writeString(previous.resolve(".restorekit-demo"), "created by 'rk demo'\n");
        Files.writeString(previous.resolve("postgres/base/stale"), "left by an interrupted demo");
        Files.writeString(previous.resolve("data-from-last-time.txt"), "old");

        DemoResult result = demo.run(home, ProgressListener.NONE);

        assertThat(result.identical()).isTrue();
        assertThat(result.databaseIdentical()).isTrue();
        assertThat(result.home()).isEqualTo(previous);
        assertThat(previous.resolve("data-from-last-time.txt")).doesNotExist();
        assertThat(previous.resolve("postgres")).doesNotExist();
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
