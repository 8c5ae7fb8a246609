package io.restorekit.source.mysql;

import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.TableCheck;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/** Proof that a MySQL database holds what a snapshot holds: every table re-read as row text, counted and digested. */
public final class MySqlTableCheck {
    private MySqlTableCheck() {
    }

    /** Checks every table of {@code manifest} in the database {@code target} connects to. */
    public static List<TableCheck> compare(DatabaseManifest manifest, MySqlConnect target) {
        Map<String, Map<String, String>> types = MySqlRestore.columnTypes(target);
        Map<String, SystemTime> history = SystemTime.withHistory(manifest);
        List<TableCheck> out = new ArrayList<>();
        try (Connection c = target.open()) {
            for (DatabaseManifest.Table t : manifest.tables()) {
                Map<String, String> cols = types.get(t.name());
                if (cols == null) {
                    out.add(new TableCheck(t.qualifiedName(), t.rows(), -1, t.digest(), null));
                    continue;
                }
                SystemTime period = history.get(t.name());
                String source = ident(t.name());
                if (period != null) {
                    // the hidden ROW_START and ROW_END are not among information_schema's columns
                    source = SystemTime.allVersions(t.name());
                    cols = new java.util.HashMap<>(cols);
                    cols.put(period.start(), "timestamp");
                    cols.put(period.end(), "timestamp");
                }
                RowScanner scanner = scan(c, source, t.columns(), cols, null, t.digest());
                out.add(new TableCheck(t.qualifiedName(), t.rows(), scanner.rows(), t.digest(), scanner.digest()));
            }
        } catch (SQLException | IOException e) {
            throw new io.restorekit.common.RkException(io.restorekit.common.ErrorCode.FAILED, "cannot check '"
                    + target.url() + "': " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Reads the rows of {@code source} (a quoted table name, or one with every row version; all rows,
     * or those {@code where} selects, SQL over alias t0) as row text, digested comparably to
     * {@code digest} (the manifest's).
     */
    static RowScanner scan(Connection c, String source, List<String> columns, Map<String, String> types, String where,
                           String digest) throws SQLException, IOException {
        RowScanner scanner = RowScanner.checking(digest, -1);
        List<Column> cols = columns.stream().map(n -> Column.of(n, types.getOrDefault(n, "text"))).toList();
        try (Statement st = c.createStatement()) {
            st.setFetchSize(4096);
            try (ResultSet r = st.executeQuery("SELECT " + Column.readList(cols, "t0") + " FROM " + source
                    + " t0" + (where == null ? "" : " WHERE " + where))) {
                InputStream in = new RowSegments(r, new RowEncoder(cols), null, scanner);
                ((RowSegments) in).nextSegment();
                byte[] buffer = new byte[1 << 16];
                while (in.read(buffer) > 0) {
                    // scanned as it passes
                }
            }
        }
        return scanner;
    }
}
