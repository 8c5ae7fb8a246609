package io.restorekit.source.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server's binary log as the record of which tables changed between two backups (MariaDB).
 *
 * <p>MariaDB gives the binary log position of a {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}
 * ({@code Binlog_snapshot_file} and {@code Binlog_snapshot_position}): every transaction committed
 * before that position is in the snapshot, every one after it is not. A backup records its
 * position; the next lists the log's events between the two positions and reads again only the
 * tables they name. The others hold the same rows at both moments and are taken from the previous
 * snapshot as they were stored.
 *
 * <p>That holds only while the log records every change, and this class says so only when it can
 * tell: the log on ({@code log_bin}) in row format ({@code binlog_format = ROW}, where each changed
 * row names its table in a {@code Table_map} event), not filtered ({@code binlog-do-db},
 * {@code binlog-ignore-db}), and on a replica, logging what it replicates
 * ({@code log_slave_updates}). Between the two positions any statement the log holds as SQL on this
 * database (DDL, {@code TRUNCATE}), any change logged as a statement (statement or mixed format set
 * by a session), an {@code XA COMMIT}, and any event it does not know make every table be read;
 * a table a cascading foreign key may have changed is read with the table the log names
 * ({@link #cascades}). A session that turns its logging off ({@code SET sql_log_bin = 0}) leaves
 * changes the log does not show; a backup reads every table at least every
 * {@code full-read-every} for that reason.
 */
final class BinaryLog {
    /** Events listed per query: the server reads the log from the page's first position each time. */
    static final int PAGE = 10_000;
    /** The fewest events a listing may go through before reading every table is taken as cheaper. */
    static final long MIN_EVENTS = 100_000;

    /**
     * Transaction control, as the log writes it: nothing else may follow (a compound statement may).
     * Not {@code XA COMMIT} and {@code XA ROLLBACK}: the rows of an XA transaction are logged when it
     * is prepared, maybe before the previous snapshot's position, where it was not committed yet.
     */
    private static final Pattern CONTROL = Pattern.compile("(?is)\\s*(?:(?:BEGIN|COMMIT|ROLLBACK)\\s*(?:/\\*[^*]*\\*/)?"
            + "|XA\\s+(?:START|BEGIN|END|PREPARE)\\b[^;]*|SAVEPOINT\\s+\\S+|RELEASE\\s+SAVEPOINT\\s+\\S+"
            + "|ROLLBACK\\s+(?:WORK\\s+)?TO\\s+(?:SAVEPOINT\\s+)?\\S+)\\s*");
    private static final Pattern XA_END = Pattern.compile("(?is)\\s*XA\\s+(COMMIT|ROLLBACK)\\b.*");
    /** A {@code Table_map} event's text: {@code table_id: 18 (db.table)}. */
    private static final Pattern TABLE_MAP = Pattern.compile("(?s)table_id: \\d+ \\((.*)\\)");
    private static final Pattern USE = Pattern.compile("(?s)use `((?:[^`]|``)*)`; (.*)");
    private static final Set<String> IGNORED = Set.of("Gtid", "Xid", "Annotate_rows", "Rotate", "Format_desc",
            "Gtid_list", "Binlog_checkpoint", "Start_encryption", "Stop", "Heartbeat",
            "Write_rows", "Update_rows", "Delete_rows", "Write_rows_v1", "Update_rows_v1", "Delete_rows_v1",
            "Write_rows_compressed_v1", "Update_rows_compressed_v1", "Delete_rows_compressed_v1",
            "Write_rows_compressed", "Update_rows_compressed", "Delete_rows_compressed",
            "Previous_gtids", "Anonymous_Gtid", "Rows_query", "Partial_update_rows");

    private BinaryLog() {
    }

    /**
     * Where a consistent snapshot stands in the log.
     *
     * @param server   the server's identity: {@code server_id}, host name and the log's base name
     * @param file     the log file of the snapshot's moment; null when the server does not say
     * @param unusable why the log cannot tell which tables changed up to this position; null when it can
     */
    record Position(String server, String file, long position, String unusable) {
        static Position off(String why) {
            return new Position(null, null, 0, why);
        }
    }

    /**
     * What the log says changed between two positions.
     *
     * @param tables     the names of the tables that changed (when {@code everything} is null)
     * @param everything why every table is to be read; null when {@code tables} is the whole answer
     */
    record Changes(Set<String> tables, String everything) {
        static Changes all(String why) {
            return new Changes(Set.of(), why);
        }
    }

    /**
     * The position of the consistent snapshot {@code c} has just started, with whether the log can
     * tell what changed up to it.
     */
    static Position of(Connection c) {
        String file = null;
        long position = 0;
        try (Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'")) {
            while (r.next()) {
                String name = r.getString(1).toLowerCase(Locale.ROOT);
                String value = r.getString(2);
                if (name.equals("binlog_snapshot_file")) {
                    file = value == null || value.isEmpty() ? null : value;
                } else if (name.equals("binlog_snapshot_position") && value != null && !value.isEmpty()) {
                    position = Long.parseLong(value);
                }
            }
        } catch (SQLException | NumberFormatException e) {
            return Position.off("the server's binary log position could not be read: " + e.getMessage());
        }
        String server;
        String format;
        boolean logsReplicated;
        try (Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT @@log_bin, @@binlog_format, @@server_id, @@hostname,"
                     + " @@log_bin_basename, @@log_slave_updates")) {
            r.next();
            if (!r.getBoolean(1)) {
                return Position.off("the server's binary log is off (log_bin)");
            }
            format = r.getString(2);
            server = r.getString(3) + "@" + r.getString(4) + ":" + r.getString(5);
            logsReplicated = r.getBoolean(6);
        } catch (SQLException e) {
            return Position.off("the server's binary log settings could not be read: " + e.getMessage());
        }
        if (file == null) {
            // MySQL: no position of a consistent snapshot without a lock
            return new Position(server, null, 0, "the server does not give the binary log position of a"
                    + " consistent snapshot (Binlog_snapshot_file: MariaDB)");
        }
        String why = !"ROW".equalsIgnoreCase(format)
                ? "the server's binary log is in " + format + " format, not ROW (binlog_format)"
                : logsReplicated ? null : replica(c);
        return new Position(server, file, position, why != null ? why : filtered(c));
    }

    /** Why a server that does not log what it replicates cannot be trusted; null when it is no replica. */
    private static String replica(Connection c) {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SHOW ALL SLAVES STATUS")) {
            return r.next() ? "the server is a replica that does not log what it replicates (log_slave_updates"
                    + " is off)" : null;
        } catch (SQLException e) {
            return "log_slave_updates is off and whether the server is a replica cannot be read (the SLAVE"
                    + " MONITOR privilege): " + e.getMessage();
        }
    }

    private static String filtered(Connection c) {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SHOW MASTER STATUS")) {
            if (r.next() && (!empty(r.getString("Binlog_Do_DB")) || !empty(r.getString("Binlog_Ignore_DB")))) {
                return "the server's binary log leaves databases out (binlog-do-db, binlog-ignore-db)";
            }
            return null;
        } catch (SQLException e) {
            return "the binary log cannot be listed (the BINLOG MONITOR privilege): " + e.getMessage();
        }
    }

    private static boolean empty(String s) {
        return s == null || s.isBlank();
    }

    /**
     * The tables of {@code database} among {@code tables} that the log shows changed between
     * {@code from} (an earlier snapshot's position on the same server) and {@code to}. A log with
     * more events in between than a quarter of {@code rows} (the database's rows, as estimated) is
     * not listed to its end: listing an event costs about as much as reading three or four rows
     * (50,000 transactions of another database, 250,000 events: 0.4 s), so reading every table is
     * then about as cheap.
     */
    static Changes between(Connection c, Position from, Position to, String database, Set<String> tables,
                           long rows) {
        if (!to.server().equals(from.server())) {
            return Changes.all("the server is not the one of the previous snapshot (server_id, host name or binary"
                    + " log differ: " + from.server() + ", now " + to.server() + ")");
        }
        List<String> files = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SHOW BINARY LOGS")) {
            while (r.next()) {
                files.add(r.getString(1));
            }
        } catch (SQLException e) {
            return Changes.all("the binary log files cannot be listed (the BINLOG MONITOR privilege): "
                    + e.getMessage());
        }
        if (files.stream().anyMatch(f -> f.indexOf('\'') >= 0 || f.indexOf('\\') >= 0)) {
            return Changes.all("the binary log's file names hold quotes");
        }
        int first = files.indexOf(from.file());
        int last = files.indexOf(to.file());
        if (first < 0) {
            return Changes.all("the binary log file of the previous snapshot (" + from.file()
                    + ") is no longer on the server (purged)");
        }
        if (last < first || last == first && to.position() < from.position()) {
            return Changes.all("the binary log is behind the previous snapshot's position (" + from.file() + " at "
                    + from.position() + ", now " + to.file() + " at " + to.position() + "): it was reset");
        }
        Set<String> changed = new HashSet<>();
        Scan scan = new Scan(database, tables, changed, Math.max(MIN_EVENTS, rows / 4));
        try (Statement st = c.createStatement()) {
            for (int i = first; i <= last && scan.everything == null && changed.size() < tables.size(); i++) {
                String file = files.get(i);
                long start = i == first ? from.position() : -1;
                long stop = i == last ? to.position() : Long.MAX_VALUE;
                scanFile(st, file, start, stop, scan);
            }
        } catch (SQLException e) {
            return Changes.all("the binary log could not be read: " + e.getMessage());
        }
        return scan.everything != null ? Changes.all(scan.everything) : new Changes(Set.copyOf(changed), null);
    }

    /**
     * The tables of {@code database} whose rows a change to another table can change without the
     * log naming them: a foreign key's {@code ON DELETE} or {@code ON UPDATE} action (CASCADE, SET
     * NULL, SET DEFAULT) is carried out by the server that runs the change, and in row format the
     * log holds the referenced table's rows only (a replica's own keys act again). By referenced
     * table, the tables with such a key; null when a key cascades from another database.
     */
    static Map<String, Set<String>> cascades(Connection c, String database) throws SQLException {
        Map<String, Set<String>> out = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT TABLE_NAME, UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME,"
                     + " DELETE_RULE, UPDATE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS"
                     + " WHERE CONSTRAINT_SCHEMA = DATABASE()")) {
            while (r.next()) {
                if (!acts(r.getString(4)) && !acts(r.getString(5))) {
                    continue;
                }
                if (!database.equals(r.getString(2))) {
                    return null;
                }
                out.computeIfAbsent(r.getString(3), k -> new HashSet<>()).add(r.getString(1));
            }
        }
        return out;
    }

    private static boolean acts(String rule) {
        return rule != null && !rule.equalsIgnoreCase("RESTRICT") && !rule.equalsIgnoreCase("NO ACTION");
    }

    /** {@code changed} with every table a change to one of them may change by cascading keys, transitively. */
    static Set<String> withCascades(Set<String> changed, Map<String, Set<String>> cascades) {
        Set<String> out = new HashSet<>(changed);
        ArrayDeque<String> todo = new ArrayDeque<>(changed);
        while (!todo.isEmpty()) {
            for (String child : cascades.getOrDefault(todo.poll(), Set.of())) {
                if (out.add(child)) {
                    todo.add(child);
                }
            }
        }
        return out;
    }

    /** What a listing has found so far. */
    private static final class Scan {
        final String database;
        final Set<String> tables;
        final Set<String> changed;
        /** The database's name as a whole word (not a prefix of another name) */
        final Pattern named;
        /**
         * The tables by {@code db.table} as a {@code Table_map} event names them, without case (a
         * server on a case-insensitive file system keeps names as created and finds them in any case)
         */
        final Map<String, String> byMapped = new HashMap<>();
        final long limit;
        String everything;
        long events;

        Scan(String database, Set<String> tables, Set<String> changed, long limit) {
            this.limit = limit;
            this.database = database;
            this.tables = tables;
            this.changed = changed;
            tables.forEach(t -> byMapped.put((database + "." + t).toLowerCase(Locale.ROOT), t));
            this.named = Pattern.compile("(?<![\\p{L}\\p{N}_$])" + Pattern.quote(database) + "(?![\\p{L}\\p{N}_$])",
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        }
    }

    /** Lists {@code file}'s events from {@code start} (its beginning when negative) up to {@code stop}. */
    private static void scanFile(Statement st, String file, long start, long stop, Scan scan) throws SQLException {
        long from = start;
        boolean skipFirst = false;
        while (true) {
            // SHOW BINLOG EVENTS takes a plain quoted name (file names with quotes are refused above)
            String sql = "SHOW BINLOG EVENTS IN '" + file + "'" + (from >= 0 ? " FROM " + from : "")
                    + " LIMIT " + (skipFirst ? "1, " : "") + PAGE;
            int listed = 0;
            long lastPos = -1;
            try (ResultSet r = st.executeQuery(sql)) {
                while (r.next()) {
                    listed++;
                    long pos = r.getLong("Pos");
                    if (pos >= stop) {
                        return;
                    }
                    lastPos = pos;
                    if (++scan.events > scan.limit) {
                        scan.everything = "more than " + scan.limit + " events in the binary log since the previous"
                                + " snapshot (more than a quarter of the database's rows)";
                        return;
                    }
                    event(r.getString("Event_type"), r.getString("Info"), scan);
                    if (scan.everything != null || scan.changed.size() == scan.tables.size()) {
                        return;
                    }
                }
            }
            if (listed < PAGE) {
                return;
            }
            from = lastPos;
            skipFirst = true;
        }
    }

    /** Takes one event into account. */
    private static void event(String type, String info, Scan scan) {
        if (type == null) {
            scan.everything = "an event of no type in the binary log";
            return;
        }
        switch (type) {
            case "Table_map" -> {
                var m = TABLE_MAP.matcher(info == null ? "" : info);
                if (!m.matches()) {
                    scan.everything = "a Table_map event of an unknown form in the binary log: " + shown(info);
                    return;
                }
                String t = scan.byMapped.get(m.group(1).toLowerCase(Locale.ROOT));
                if (t != null) {
                    scan.changed.add(t);
                }
            }
            case "Query" -> query(info == null ? "" : info, scan);
            default -> {
                if (!IGNORED.contains(type)) {
                    // statement-format changes (Intvar, Rand, User var, Begin_load_query, ...), gaps
                    // (Incident), and whatever this class does not know
                    scan.everything = "the binary log holds a " + type + " event since the previous snapshot"
                            + " (a change logged as a statement, or a gap)";
                }
            }
        }
    }

    private static String shown(String statement) {
        String one = statement.replaceAll("\\s+", " ").strip();
        return one.length() > 100 ? one.substring(0, 100) + "..." : one;
    }

    private static final Pattern DML = Pattern.compile(
            "(?is)\\s*(/\\*.*?\\*/\\s*)*(INSERT|UPDATE|DELETE|REPLACE|LOAD|CALL|DO|SELECT|WITH|HANDLER|EXECUTE)\\b.*");

    /**
     * A statement the log holds as SQL: transaction control is nothing; a change logged as a
     * statement, or any statement on this database (DDL, TRUNCATE), makes every table be read.
     * Other databases' DDL leaves this one's rows alone (a statement there reaches this database's
     * tables only by naming it, as nothing else is its default).
     */
    private static void query(String info, Scan scan) {
        String db = null;
        String statement = info;
        var use = USE.matcher(info);
        if (use.matches()) {
            db = use.group(1).replace("``", "`");
            statement = use.group(2);
        }
        if (CONTROL.matcher(statement).matches()) {
            return;
        }
        if (XA_END.matcher(statement).matches()) {
            scan.everything = "an XA transaction prepared before it was committed since the previous snapshot ("
                    + shown(statement) + "): its rows may be logged before that snapshot's position";
            return;
        }
        // (a statement sent with others may be logged with them; a semicolon in a string only
        // makes this more careful)
        if (java.util.Arrays.stream(statement.split(";")).anyMatch(part -> DML.matcher(part).matches())) {
            scan.everything = "the binary log holds a change logged as a statement since the previous snapshot"
                    + " (statement or mixed binlog_format in a session): " + shown(info);
            return;
        }
        if (scan.database.equalsIgnoreCase(db) || scan.named.matcher(statement).find()) {
            scan.everything = "the binary log holds a statement on this database since the previous snapshot: "
                    + shown(statement);
        }
    }
}
