package io.restorekit.source.mysql;

import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/**
 * The period of a MariaDB system-versioned table ({@code WITH SYSTEM VERSIONING}): the columns
 * that hold when each row version began and ended. They are the table's own columns where its
 * {@code CREATE TABLE} declares {@code PERIOD FOR SYSTEM_TIME (start, end)}, else the hidden
 * {@code ROW_START} and {@code ROW_END}.
 *
 * <p>A backup reads such a table {@code FOR SYSTEM_TIME ALL}, its history with it, the two period
 * columns last in each row; a whole restore loads them back as they were (MariaDB 10.11's
 * {@code system_versioning_insert_history}). A row whose end is the largest timestamp is current.
 */
record SystemTime(String start, String end) {
    private static final Pattern PERIOD = Pattern.compile(
            "\\n\\s*PERIOD FOR SYSTEM_TIME \\(`((?:[^`]|``)+)`, `((?:[^`]|``)+)`\\)");
    /** The end of a current row: TIMESTAMP's largest value before MariaDB 11.5, and from 11.5 on. */
    private static final List<String> CURRENT_ENDS = List.of("2038-01-19 03:14:07.999999",
            "2106-02-07 06:28:15.999999");

    /** The period of the table {@code createTable} creates, or null when it is not system-versioned. */
    static SystemTime of(String createTable) {
        int close = createTable.lastIndexOf("\n)");
        if (close < 0 || !createTable.substring(close).contains(" WITH SYSTEM VERSIONING")) {
            return null;
        }
        Matcher m = PERIOD.matcher(createTable);
        return m.find() ? new SystemTime(m.group(1).replace("``", "`"), m.group(2).replace("``", "`"))
                : new SystemTime("ROW_START", "ROW_END");
    }

    /**
     * The tables of {@code manifest} whose stored rows hold their history (their columns end with
     * the period's), by table name. Snapshots taken before history was backed up hold none.
     */
    static Map<String, SystemTime> withHistory(DatabaseManifest manifest) {
        Map<String, SystemTime> periods = new HashMap<>();
        for (Ddl d : manifest.schema()) {
            if (d.phase() == Phase.TABLES) {
                SystemTime p = of(d.sql());
                if (p != null) {
                    periods.put(MySqlSchema.objectName(d), p);
                }
            }
        }
        Map<String, SystemTime> out = new HashMap<>();
        for (DatabaseManifest.Table t : manifest.tables()) {
            SystemTime p = periods.get(t.name());
            if (p != null && p.endsColumns(t.columns())) {
                out.put(t.name(), p);
            }
        }
        return out;
    }

    /** Whether {@code columns} end with this period's start and end. */
    boolean endsColumns(List<String> columns) {
        int n = columns.size();
        return n >= 2 && columns.get(n - 2).equals(start) && columns.get(n - 1).equals(end);
    }

    /** {@code table} as a FROM clause names it with every row version. */
    static String allVersions(String table) {
        return ident(table) + " FOR SYSTEM_TIME ALL";
    }

    /** {@code columns} without the period's two (the last two). */
    List<String> withoutPeriod(List<String> columns) {
        return List.copyOf(columns.subList(0, columns.size() - 2));
    }

    /**
     * The current rows of {@code lines} (row text whose last two fields are the period), without
     * their period fields.
     */
    static List<String> current(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            int endField = line.lastIndexOf('\t');
            int startField = endField < 0 ? -1 : line.lastIndexOf('\t', endField - 1);
            if (startField >= 0 && CURRENT_ENDS.contains(line.substring(endField + 1))) {
                out.add(line.substring(0, startField));
            }
        }
        return out;
    }
}
