package io.restorekit.restore;

import io.restorekit.catalog.AuditEntry;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestoreRecorderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

    @Test
    @DisplayName("a restore is recorded as one run, begun while it runs and ended after it")
    void recordsTheRun() {
        InMemoryCatalog catalog = new InMemoryCatalog();
        RestoreRecorder recorder = new RestoreRecorder(catalog, CLOCK);
        String result = recorder.record("uploads", Map.of("files", List.of("a.txt")), () -> "done",
                r -> new RestoreRecorder.Summary("ab".repeat(32), 42, 1, 0, Map.of("plan", "1 file")));
        assertThat(result).isEqualTo("done");
        Run run = catalog.runs(RunQuery.of(RunKind.RESTORE)).get(0);
        assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.source()).isEqualTo("uploads");
        assertThat(run.bytesRead()).isEqualTo(42);
        assertThat(run.details()).contains("\"plan\":\"1 file\"").contains("a.txt");
        assertThat(catalog.runs(RunQuery.of(RunKind.RESTORE))).hasSize(1);
    }

    @Test
    @DisplayName("a failed restore is recorded with its error code and rethrown")
    void recordsAFailure() {
        InMemoryCatalog catalog = new InMemoryCatalog();
        RestoreRecorder recorder = new RestoreRecorder(catalog, CLOCK);
        assertThatThrownBy(() -> recorder.record("uploads", Map.of(), () -> {
            throw new RkException(ErrorCode.BAD_INPUT, "no such file 'x' in the snapshot");
        }, r -> null)).hasMessageContaining("no such file");
        Run run = catalog.runs(RunQuery.of(RunKind.RESTORE)).get(0);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("no such file");
        assertThat(run.details()).contains("BAD_INPUT");
    }

    @Test
    @DisplayName("a catalog that cannot record does not stop the restore")
    void catalogDownStillRestores() {
        AtomicInteger updates = new AtomicInteger();
        Catalog broken = new Catalog() {
            @Override
            public Run record(Run run) {
                throw new IllegalStateException("catalog 'jdbc:postgresql://db/rk' is unreachable");
            }

            @Override
            public void update(Run run) {
                updates.incrementAndGet();
            }

            @Override
            public Optional<Run> run(long id) {
                return Optional.empty();
            }

            @Override
            public List<Run> runs(RunQuery query) {
                return List.of();
            }

            @Override
            public AuditEntry audit(AuditEntry entry) {
                return entry;
            }

            @Override
            public List<AuditEntry> audits(Instant since, int limit) {
                return List.of();
            }
        };
        AtomicInteger restored = new AtomicInteger();
        Integer result = new RestoreRecorder(broken, CLOCK).record("uploads", Map.of(), restored::incrementAndGet,
                r -> new RestoreRecorder.Summary(null, 0, 0, 0, Map.of()));
        assertThat(result).isEqualTo(1);
        assertThat(restored).hasValue(1);
        assertThat(updates).hasValue(0);
    }
}
