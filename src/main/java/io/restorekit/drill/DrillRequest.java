package io.restorekit.drill;

import io.restorekit.source.SourceSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One restore drill.
 *
 * @param sources        the sources whose snapshots are restored (database and files sources)
 * @param snapshot       a snapshot id or prefix (then {@code sources} holds its one source); null for the newest
 * @param at             the newest snapshot at or before this moment; null for now
 * @param target         {@code embedded}, or a JDBC URL of a server where a temporary database may be created
 * @param targetUser     user for a JDBC target (null: from the URL)
 * @param targetPassword password for a JDBC target (null: from the URL)
 * @param keep           leave the database, server and folder for inspection
 * @param rto            a restore slower than this is a warning; null: no objective
 * @param checks         SQL checks run in every restored database
 * @param sampleFiles    files restored per files source: 0 for all, otherwise this many at random plus
 *                       every file changed since the previous drill
 * @param liveSample     live source files compared with the snapshot (those unchanged since the backup)
 * @param binaries       a binaries jar for the embedded server; null for the one on the class path
 */
public record DrillRequest(List<SourceSpec> sources, String snapshot, Instant at, String target, String targetUser,
                           String targetPassword, boolean keep, Duration rto, List<SqlCheck> checks,
                           int sampleFiles, int liveSample, Path binaries) {
    public static final String EMBEDDED = "embedded";

    public DrillRequest {
        sources = List.copyOf(sources);
        checks = checks == null ? List.of() : List.copyOf(checks);
        target = target == null ? EMBEDDED : target;
    }

    /** A query whose single number must meet {@code expect} ({@link Expectation}). */
    public record SqlCheck(String name, String sql, String expect) {
    }
}
