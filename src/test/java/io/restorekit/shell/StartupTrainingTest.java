package io.restorekit.shell;

import io.restorekit.backup.BackupResult;
import io.restorekit.common.ErrorCode;
import io.restorekit.repository.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StartupTrainingTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(StartupTraining.ROWS_FILE);
    }

    @Test
    void countsTheRowsOfTheDatabaseSnapshotsThatWereMade() {
        BackupResult result = new BackupResult("run", List.of(
                database("erp", List.of(table("erp.orders", 700_000), table("erp.lines", 1_400_000))),
                database("clinic", List.of(table("clinic.visits", 5))),
                files("uploads"),
                new BackupResult.SourceResult("crm", null, null, null, null, List.of(), ErrorCode.UNREACHABLE,
                        "unreachable")));

        assertThat(StartupTraining.rows(result)).isEqualTo(2_100_005);
    }

    @Test
    void tablesTakenUnchangedWereNotRead() {
        BackupResult result = new BackupResult("run", List.of(database("erp", List.of(table("erp.orders", 700_000),
                new BackupResult.TableResult("erp.lines", 1_400_000, 1, 0, true)))));

        assertThat(StartupTraining.rows(result)).isEqualTo(700_000);
    }

    @Test
    void writesTheCountWhereTheLauncherAsks() throws Exception {
        Path file = dir.resolve("rows");
        System.setProperty(StartupTraining.ROWS_FILE, file.toString());

        StartupTraining.backedUp(new BackupResult("run", List.of(database("erp",
                List.of(table("erp.orders", 612_345))))));

        assertThat(Files.readString(file)).isEqualTo("612345\n");
    }

    @Test
    void writesNothingOutsideATrainingRun() throws Exception {
        StartupTraining.backedUp(new BackupResult("run", List.of(database("erp", List.of(table("erp.orders", 1))))));

        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aFileThatCannotBeWrittenIsNoFailure() {
        System.setProperty(StartupTraining.ROWS_FILE, dir.resolve("missing/folder/rows").toString());

        StartupTraining.backedUp(new BackupResult("run", List.of(database("erp", List.of(table("erp.orders", 1))))));

        assertThat(dir.resolve("missing")).doesNotExist();
    }

    private static BackupResult.SourceResult database(String name, List<BackupResult.TableResult> tables) {
        return new BackupResult.SourceResult(name, "a".repeat(64), null, Instant.EPOCH,
                new Snapshot.Summary(tables.size(), 0, 0, 0, 0, 0, 1), List.of(), null, null, tables);
    }

    private static BackupResult.SourceResult files(String name) {
        return new BackupResult.SourceResult(name, "b".repeat(64), null, Instant.EPOCH,
                new Snapshot.Summary(3, 1, 10, 10, 10, 0, 1), List.of(), null, null);
    }

    private static BackupResult.TableResult table(String name, long rows) {
        return new BackupResult.TableResult(name, rows, rows * 10, rows * 10);
    }
}
