package io.restorekit.repository;

import java.util.List;

/**
 * The outcome of rebuilding the index from pack headers.
 *
 * @param replacedIndexFiles index files the new one supersedes (and that were removed)
 * @param unreadablePacks    packs whose header could not be read; their blobs are not indexed
 */
public record RebuildResult(int packs, long blobs, int replacedIndexFiles, List<String> unreadablePacks) {
    public RebuildResult {
        unreadablePacks = List.copyOf(unreadablePacks);
    }
}
