package io.restorekit.restore;

import java.util.List;

/**
 * What a database restore did, or would do after a dry run ({@code phases} then empty).
 *
 * @param targetTables tables the target held before the restore; -1 when it did not exist
 * @param created      whether the restore created the database
 * @param phases       time per phase, in order (schemas, ..., data, constraints, indexes, ...)
 * @param droppedWith  objects outside the snapshot's schemas that depend on what a replace
 *                     ({@code --yes}) drops, so are dropped with it: those it would drop (a dry run)
 *                     or did; PostgreSQL only
 * @param referencesKept foreign keys of tables elsewhere that reference tables a replace drops:
 *                     dropped meanwhile and created again on the restored tables (PostgreSQL: tables
 *                     outside the snapshot's schemas; MySQL: tables of other databases)
 */
public record DatabaseRestoreResult(String snapshotId, String source, String database, boolean dryRun,
                                    long targetTables, boolean created, long tables, long rows, long bytes,
                                    List<Phase> phases, long durationMs, List<String> droppedWith,
                                    List<String> referencesKept) {
    public DatabaseRestoreResult {
        phases = List.copyOf(phases);
        droppedWith = List.copyOf(droppedWith);
        referencesKept = List.copyOf(referencesKept);
    }

    public record Phase(String name, long durationMs) {
    }
}
