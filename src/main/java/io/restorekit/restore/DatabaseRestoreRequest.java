package io.restorekit.restore;

import java.time.Instant;

/**
 * A whole-database restore into a JDBC URL ({@code rk restore --source db --target JDBC-URL}).
 *
 * @param source    the database source whose snapshots are searched
 * @param snapshot  a snapshot id or unique prefix; null for the newest at or before {@code at}
 * @param at        null for now
 * @param target    {@code jdbc:postgresql://host[:port]/database}; the database is created when missing
 * @param username  the role to restore as; null for the URL's or the driver's default
 * @param password  its password, or null
 * @param jobs      parallel connections for data and index builds
 * @param dryRun    only report what would be restored and where
 * @param overwrite permission to restore into a database that already holds tables ({@code --yes})
 * @param analyze   end a PostgreSQL restore with {@code ANALYZE} of every table (the source's {@code analyze})
 */
public record DatabaseRestoreRequest(String source, String snapshot, Instant at, String target, String username,
                                     String password, int jobs, boolean dryRun, boolean overwrite, boolean analyze) {
    /** A request without the final {@code ANALYZE}. */
    public DatabaseRestoreRequest(String source, String snapshot, Instant at, String target, String username,
                                  String password, int jobs, boolean dryRun, boolean overwrite) {
        this(source, snapshot, at, target, username, password, jobs, dryRun, overwrite, false);
    }

    @Override
    public String toString() {
        return "DatabaseRestoreRequest[source=" + source + ", snapshot=" + snapshot + ", target=" + target + "]";
    }
}
