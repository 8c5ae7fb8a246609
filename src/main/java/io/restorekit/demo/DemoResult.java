package io.restorekit.demo;

import io.restorekit.drill.DrillReport;

import java.nio.file.Path;
import java.util.List;

/**
 * What the demo did, step by step, and where it left things so the operator can go on by hand.
 *
 * @param config       the demo configuration file (use it with {@code RK_CONFIG})
 * @param passwordFile the demo repository password (use it with {@code RK_PASSWORD_FILE})
 * @param restoredFile the file restored as of the first snapshot
 * @param identical    whether the restored bytes equal the file as it was at the first backup
 * @param databaseSnapshot  the database snapshot restored into a new database
 * @param tables            every table of that snapshot, checked in the restored database
 * @param databaseIdentical whether every restored table's row count and digest equal the snapshot's
 * @param verified     whether {@code verify --read-data} found no problem
 * @param tenantRestored whether tenant 2's billing, restored in place, equals the backup while
 *                       tenants 1 and 3 stayed untouched
 * @param drill        the restore drill of the latest snapshots into a throwaway embedded PostgreSQL
 */
public record DemoResult(Path home, Path config, Path passwordFile, List<Step> steps, String firstSnapshot,
                         String secondSnapshot, Path restoredFile, boolean identical, String databaseSnapshot,
                         List<TableMatch> tables, boolean databaseIdentical, boolean verified,
                         List<String> tryNext, boolean tenantRestored, DrillReport drill) {

    public DemoResult {
        steps = List.copyOf(steps);
        tables = List.copyOf(tables);
        tryNext = List.copyOf(tryNext);
    }

    /** One restored table: rows in the snapshot, and whether the restored rows and digest equal them. */
    public record TableMatch(String table, long rows, boolean equal) {
    }

    /** One step: what was done and what came of it. */
    public record Step(String title, String outcome, long durationMs) {
    }
}
