package io.restorekit.backup;

import io.restorekit.source.SourceSpec;

import java.time.Instant;
import java.util.List;

/**
 * One backup run.
 *
 * @param sources the sources to back up, in order (every configured one, or those named with
 *                {@code --source})
 * @param tags    tags recorded on every snapshot of the run
 * @param time    the snapshot time to record ({@code --time}); null for now
 * @param host    recorded host name; null for this machine's
 * @param user    recorded user name; null for the current user
 */
public record BackupRequest(List<SourceSpec> sources, List<String> tags, Instant time, String host, String user) {
    public BackupRequest {
        sources = List.copyOf(sources);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public static BackupRequest of(List<? extends SourceSpec> sources) {
        return new BackupRequest(List.copyOf(sources), List.of(), null, null, null);
    }
}
