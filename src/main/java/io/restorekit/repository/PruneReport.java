package io.restorekit.repository;

import java.time.Instant;
import java.util.List;

/**
 * What {@link Repository#prune} did (or, in a dry run, would do).
 *
 * @param packs            packs in the repository before
 * @param packBytes        their bytes
 * @param usedBlobs        blobs the snapshots need
 * @param unusedBlobs      indexed blobs no snapshot needs
 * @param deletedPacks     packs deleted now (marked by an earlier run at least a grace period ago, or now with no grace)
 * @param deletedBytes     their bytes: the space reclaimed
 * @param repackedPacks    mostly unused packs whose used blobs were copied into new packs
 * @param repackedBytes    bytes written to the new packs
 * @param markedPacks      packs taken out of the index now and marked for deletion after the grace period
 * @param markedBytes      their bytes
 * @param rescuedPacks     marked or unindexed packs holding blobs a snapshot needs: indexed again
 * @param lockedPacks      packs due for deletion but under Object Lock retention: left in place
 * @param replacedIndexes  index files replaced by one that no longer names the removed packs
 * @param pendingMarks     marks that are not due yet (their packs are deleted by a later prune)
 * @param nextDeletion     when the earliest pending mark becomes due; null when none is pending
 * @param bytesAfter       pack bytes after the run (estimated in a dry run)
 */
public record PruneReport(boolean dryRun, int packs, long packBytes, long usedBlobs, long unusedBlobs,
                          int deletedPacks, long deletedBytes, int repackedPacks, long repackedBytes,
                          int markedPacks, long markedBytes, int rescuedPacks, int lockedPacks,
                          int replacedIndexes, int pendingMarks, Instant nextDeletion, long bytesAfter,
                          List<String> warnings) {
    public PruneReport {
        warnings = List.copyOf(warnings);
    }

    /** Pack bytes before minus after. */
    public long reclaimedBytes() {
        return packBytes - bytesAfter;
    }
}
