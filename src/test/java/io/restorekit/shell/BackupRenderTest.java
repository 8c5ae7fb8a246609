package io.restorekit.shell;

import io.restorekit.backup.BackupResult;
import io.restorekit.repository.Snapshot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BackupRenderTest {
    @Test
    @DisplayName("a database backup shows the tables taken unchanged, counts them, and prints its notes")
    void unchangedTablesAndNotes() {
        BackupResult.SourceResult shop = new BackupResult.SourceResult("shop", "c".repeat(64), "d".repeat(64),
                Instant.EPOCH, new Snapshot.Summary(3, 0, 3000, 120, 60, 2, 800), List.of(), null, null,
                List.of(new BackupResult.TableResult("shop.orders", 100, 1000, 120),
                        new BackupResult.TableResult("shop.lines", 200, 1500, 0, true),
                        new BackupResult.TableResult("shop.notes", 50, 500, 0, true)), List.of());
        BackupResult.SourceResult clinic = new BackupResult.SourceResult("clinic", "e".repeat(64), "f".repeat(64),
                Instant.EPOCH, new Snapshot.Summary(1, 0, 10, 10, 10, 0, 900), List.of(), null, null,
                List.of(new BackupResult.TableResult("clinic.visits", 5, 10, 10)),
                List.of("every table read: the binary log holds a statement on this database since the previous"
                        + " snapshot: TRUNCATE TABLE visits"));

        String text = BackupCommand.render(new BackupResult("run", List.of(shop, clinic)));

        assertThat(text).containsPattern("shop\\s+cccccccc\\s+3\\s+2\\s");
        assertThat(text).containsPattern("shop\\.lines\\s+200\\s+1\\.5 KiB\\s+unchanged")
                .containsPattern("shop\\.notes\\s+50\\s+500 B\\s+unchanged")
                .containsPattern("shop\\.orders\\s+100\\s+1000 B\\s+120 B");
        assertThat(text).contains("note: clinic: every table read: the binary log holds a statement on this"
                + " database since the previous snapshot: TRUNCATE TABLE visits");
        assertThat(text).doesNotContain("note: shop");
    }
}
