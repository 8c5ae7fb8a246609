package io.restorekit.repository;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot manifest: one source at one moment (docs/repository-format.md §8). The repository
 * stores it sealed under {@code snapshots/<id>}; {@link #id()} is filled in when it is loaded
 * or saved and is not part of the stored JSON.
 *
 * @param tree    the root tree blob of a files snapshot
 * @param summary what the backup saw and added
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(
        @JsonIgnore String id,
        int version,
        String source,
        String kind,
        Instant time,
        String host,
        String user,
        String run,
        List<String> tags,
        String parent,
        String root,
        BlobId tree,
        Summary summary,
        List<Warning> warnings) {

    public Snapshot {
        tags = tags == null ? List.of() : List.copyOf(tags);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public Snapshot withId(String newId) {
        return new Snapshot(newId, version, source, kind, time, host, user, run, tags, parent, root, tree,
                summary, warnings);
    }

    /** The first 8 hex characters of the id, as shown in listings. */
    @JsonIgnore
    public String shortId() {
        return id == null ? null : id.substring(0, 8);
    }

    /**
     * @param addedBytes  plaintext bytes of blobs that were new to the repository
     * @param storedBytes bytes those blobs take in the repository (compressed, sealed)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(long files, long dirs, long bytes, long addedBytes, long storedBytes,
                          long reusedFiles, long durationMs) {
    }

    /** A problem met during the backup that did not fail it (file vanished, changed, unreadable). */
    public record Warning(String path, String message) {
    }
}
