package io.restorekit.source.postgres;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps backups and whole restores of one database apart, with an advisory lock of that database:
 * a whole restore holds it exclusively from start to end, a backup shared for its transaction. A
 * backup taken while a restore writes would store a half-restored database as a good snapshot
 * (the newest one, which retention keeps and drills and restores pick): it is refused instead. A
 * restore waits for a running backup to finish, up to a minute.
 */
final class RestoreGuard implements AutoCloseable {
    /** The advisory lock's key (advisory locks are per database): "rk_resto" in ASCII. */
    static final long KEY = 0x726b5f726573746fL;

    /** How long a restore waits for a running backup of the database, in milliseconds. */
    static volatile int waitMs = 60_000;

    private final Connection connection;

    private RestoreGuard(Connection connection) {
        this.connection = connection;
    }

    /**
     * Takes the lock for a restore into {@code target} (which must exist), waiting for a backup
     * that holds it; released by {@link #close}.
     */
    static RestoreGuard hold(PgConnect target) {
        Connection c = target.open();
        try (Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = " + waitMs);
            st.execute("SELECT pg_advisory_lock(" + KEY + ")");
            st.execute("SET lock_timeout = 0");
            return new RestoreGuard(c);
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            if ("55P03".equals(e.getSQLState())) {
                throw new RkException(ErrorCode.FAILED, "a backup of database '" + target.database() + "' (or"
                        + " another restore into it) is still running after " + waitMs / 1000 + " s; nothing was"
                        + " changed. Restore once it has finished", e);
            }
            throw target.failure("lock", e);
        }
    }

    /**
     * Takes the lock shared for the backup transaction {@code st} runs in, or refuses the backup
     * when a restore into the database holds it.
     */
    static void forBackup(Statement st, PgConnect source) throws SQLException {
        try (ResultSet r = st.executeQuery("SELECT pg_try_advisory_xact_lock_shared(" + KEY + ")")) {
            r.next();
            if (!r.getBoolean(1)) {
                throw new RkException(ErrorCode.FAILED, "a restore into database '" + source.database() + "' is"
                        + " running: a backup now would store it half-restored; nothing was stored. Back it up once"
                        + " the restore has finished");
            }
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // the session's end releases the lock
        }
    }
}
