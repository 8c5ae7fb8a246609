package io.restorekit.source.postgres;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Proof that a database holds what a snapshot holds: every table's rows are read back with the
 * same COPY settings and compared, by count and digest, with the manifest.
 *
 * @param actualRows   -1 when the table is missing
 * @param actualDigest null when the table is missing
 */
public record TableCheck(String table, long expectedRows, long actualRows, String expectedDigest,
                         String actualDigest) {

    public boolean equal() {
        return expectedRows == actualRows && expectedDigest.equals(actualDigest);
    }

    /** Checks every table of {@code manifest} in the database {@code target} connects to. */
    public static List<TableCheck> compare(DatabaseManifest manifest, PgConnect target) {
        List<TableCheck> out = new ArrayList<>();
        try (Connection c = target.open()) {
            for (DatabaseManifest.Table t : manifest.tables()) {
                RowScanner scanner = RowScanner.checking(t.digest(), -1);
                try {
                    CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY "
                            + PgConnect.qualified(t.schema(), t.name()) + PostgresBackup.columnList(t.columns())
                            + " TO STDOUT");
                    byte[] row;
                    while ((row = copy.readFromCopy()) != null) {
                        scanner.update(row, 0, row.length);
                    }
                    out.add(new TableCheck(t.qualifiedName(), t.rows(), scanner.rows(), t.digest(), scanner.digest()));
                } catch (SQLException e) {
                    out.add(new TableCheck(t.qualifiedName(), t.rows(), -1, t.digest(), null));
                }
            }
        } catch (SQLException e) {
            throw target.failure("check", e);
        }
        return out;
    }
}
