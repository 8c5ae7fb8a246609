package io.restorekit.restore;

import io.restorekit.repository.Snapshot;
import io.restorekit.source.postgres.ScopedRestore;

/**
 * What a tenant or module restore of a database did, or would do after a dry run.
 *
 * @param target  the target's URL without its password, or the source's URL for an in-place restore
 * @param outcome per table rows to delete, update, insert and leave alone, and the bytes read
 */
public record ScopedRestoreResult(Snapshot snapshot, String source, String tenant, String module, String target,
                                  boolean inPlace, boolean dryRun, ScopedRestore.Outcome outcome) {
    /** Rows deleted, updated or inserted (or that would be). */
    public long rowsChanged() {
        return outcome.total(ScopedRestore.TablePlan::toDelete) + outcome.total(ScopedRestore.TablePlan::toUpdate)
                + outcome.total(ScopedRestore.TablePlan::toInsert);
    }
}
