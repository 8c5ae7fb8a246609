package io.restorekit.restore;

import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.FilesRestore;

import java.nio.file.Path;
import java.util.List;

/**
 * What a restore would do, computed without writing anything.
 *
 * @param snapshot         the snapshot restored from
 * @param items            every entry in write order (folders before their contents), with its action
 * @param filesToWrite     files and links not on disk yet
 * @param filesToOverwrite files and links on disk with other content
 * @param filesUnchanged   files on disk with the same size and SHA-256 (links: same target)
 * @param dirsToCreate     folders to create
 * @param bytesToRead      content bytes to read from the repository
 */
public record RestorePlan(Snapshot snapshot, Path target, List<FilesRestore.Item> items, long filesToWrite,
                          long filesToOverwrite, long filesUnchanged, long dirsToCreate, long bytesToRead) {
    public RestorePlan {
        items = List.copyOf(items);
    }

    static RestorePlan of(Snapshot snapshot, FilesRestore.Plan plan) {
        return new RestorePlan(snapshot, plan.target(), plan.items(), plan.count(FilesRestore.Action.CREATE),
                plan.count(FilesRestore.Action.OVERWRITE), plan.count(FilesRestore.Action.UNCHANGED),
                plan.dirsToCreate(), plan.bytesToRead());
    }

    FilesRestore.Plan filesPlan() {
        return new FilesRestore.Plan(target, items);
    }
}
