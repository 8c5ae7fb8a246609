package io.restorekit.shell;

import io.restorekit.restore.DatabaseRestoreResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseRestoreRenderTest {
    private static final SnapshotRef SNAPSHOT = new SnapshotRef("1a2b3c4d5e6f", "erp", Instant.parse("2026-11-21T15:00:12Z"));

    private static DatabaseRestore.View view(boolean dryRun, List<String> droppedWith, List<String> referencesKept) {
        return new DatabaseRestore.View(dryRun, SNAPSHOT, "jdbc:postgresql://db/erp", "erp", 12, false, 12, 1000,
                4096, dryRun ? List.of() : List.of(new DatabaseRestoreResult.Phase("data", 1200)), 1500, droppedWith,
                referencesKept);
    }

    @Test
    @DisplayName("the plan and the result of a replace name what goes with it and the keys created again")
    void beyondTheReplacedSchemas() {
        List<String> dropped = List.of("view reports.names");
        List<String> kept = List.of("constraint audit_company on table reports.audit");
        String plan = DatabaseRestore.render(view(true, dropped, kept));
        assertThat(plan).contains("also dropped then, as they depend on what is replaced: view reports.names\n")
                .contains("foreign keys elsewhere that reference replaced tables, dropped meanwhile and created again"
                        + " on the restored ones: constraint audit_company on table reports.audit\n")
                .endsWith("dry run: nothing was written");
        String done = DatabaseRestore.render(view(false, dropped, kept));
        assertThat(done).contains("dropped with the replaced objects, as they depended on them: view reports.names\n")
                .contains("foreign keys elsewhere created again on the restored tables: constraint audit_company on"
                        + " table reports.audit\n");
        assertThat(DatabaseRestore.render(view(false, List.of(), List.of()))).doesNotContain("foreign keys")
                .doesNotContain("dropped with");
    }
}
