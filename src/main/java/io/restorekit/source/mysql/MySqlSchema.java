package io.restorekit.source.mysql;

import io.restorekit.common.Hex;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.ForeignKey;
import io.restorekit.source.postgres.DatabaseManifest.Phase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/**
 * Reads a database's schema the way the server prints it: {@code SHOW CREATE DATABASE, TABLE,
 * VIEW, PROCEDURE, FUNCTION, TRIGGER, EVENT}, each statement with the {@code sql_mode} and
 * character set it was created under; plus the columns, primary and foreign keys from
 * information_schema. A restore that replays these statements prints the same text back.
 */
final class MySqlSchema {
    /** The counter of an AUTO_INCREMENT table is state, not schema. */
    private static final Pattern AUTO_INCREMENT = Pattern.compile(" AUTO_INCREMENT=\\d+");

    /**
     * @param size        data plus index length as information_schema estimates it
     * @param columns     the dumped columns (generated columns are recomputed, not dumped)
     * @param primaryKey  its columns; empty when the table has none
     * @param rows        the row count as information_schema estimates it
     * @param systemTime  the period of a system-versioned table whose history is read with it (its
     *                    two columns end {@code columns}); null for other tables
     */
    record TableInfo(String name, long size, List<Column> columns, List<String> primaryKey, long rows,
                     SystemTime systemTime) {
        List<String> columnNames() {
            return columns.stream().map(Column::name).toList();
        }

        /** The table as the dump's FROM clause names it: every row version of a system-versioned one. */
        String source() {
            return systemTime == null ? ident(name) : SystemTime.allVersions(name);
        }
    }

    /**
     * @param ddl         in restore order (database, tables, routines, views, triggers, events)
     * @param fingerprint SHA-256 over the statements, AUTO_INCREMENT counters left out
     */
    record Result(String database, List<Ddl> ddl, List<TableInfo> tables, List<ForeignKey> foreignKeys,
                  List<String> warnings, String fingerprint) {
    }

    private MySqlSchema() {
    }

    static Result read(Connection c) throws SQLException {
        String db;
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT DATABASE()")) {
            r.next();
            db = r.getString(1);
        }
        List<Ddl> ddl = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SHOW CREATE DATABASE " + ident(db))) {
            r.next();
            ddl.add(new Ddl(Phase.SCHEMAS, "database " + db, r.getString(2)));
        }
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        Map<String, Long> rowCounts = new LinkedHashMap<>();
        List<String> views = new ArrayList<>();
        List<String> sequences = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT TABLE_NAME, TABLE_TYPE,"
                + " COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0), COALESCE(TABLE_ROWS, 0)"
                + " FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")) {
            while (r.next()) {
                String type = r.getString(2);
                if (type.equals("VIEW")) {
                    views.add(r.getString(1));
                } else if (type.equals("SEQUENCE")) {
                    sequences.add(r.getString(1));
                } else if (type.equals("BASE TABLE") || type.equals("SYSTEM VERSIONED")) {
                    columns.put(r.getString(1), new ArrayList<>());
                    sizes.put(r.getString(1), r.getLong(3));
                    rowCounts.put(r.getString(1), r.getLong(4));
                } else {
                    warnings.add(type.toLowerCase() + " " + db + "." + r.getString(1) + ": not backed up");
                }
            }
        }
        // Generated columns are left out (the server computes them again), among them the period
        // columns a system-versioned table declares; their types tell which periods are timestamps.
        Map<String, String> generatedTypes = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT TABLE_NAME, COLUMN_NAME,"
                + " DATA_TYPE, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                + " ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
            while (r.next()) {
                List<Column> cols = columns.get(r.getString(1));
                String extra = r.getString(4) == null ? "" : r.getString(4).toUpperCase();
                if (cols == null) {
                    continue;
                }
                if (!extra.contains("VIRTUAL GENERATED") && !extra.contains("STORED GENERATED")
                        && !extra.contains("PERSISTENT GENERATED")) {
                    cols.add(Column.of(r.getString(2), r.getString(3)));
                } else {
                    generatedTypes.put(r.getString(1) + "\u0000" + r.getString(2),
                            r.getString(3).toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        Map<String, List<String>> primary = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT TABLE_NAME, COLUMN_NAME"
                + " FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE()"
                + " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
            while (r.next()) {
                primary.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getString(2));
            }
        }
        Map<String, ForeignKeyBuilder> fks = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT CONSTRAINT_NAME, TABLE_NAME,"
                + " COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME"
                + " FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE()"
                + " AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION")) {
            while (r.next()) {
                String key = r.getString(2) + "\u0000" + r.getString(1);
                fks.computeIfAbsent(key, k -> {
                    try {
                        return new ForeignKeyBuilder(r.getString(1), db + "." + r.getString(2),
                                r.getString(4) + "." + r.getString(5));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }).add(r.getString(3), r.getString(6));
            }
        }
        // MariaDB sequences, before the tables whose defaults draw from them; their next value is
        // state, set again after the rows are loaded.
        for (String q : sequences) {
            ddl.add(new Ddl(Phase.SEQUENCES, "sequence " + db + "." + q, show(c, "SHOW CREATE SEQUENCE " + ident(q), 2)));
        }
        for (String q : sequences) {
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(
                    "SELECT next_not_cached_value, cycle_count FROM " + ident(q))) {
                r.next();
                ddl.add(new Ddl(Phase.SEQUENCE_VALUES, "sequence value " + db + "." + q, "DO SETVAL(" + ident(q) + ", "
                        + r.getLong(1) + ", 0, " + r.getLong(2) + ")"));
            }
        }
        List<TableInfo> tables = new ArrayList<>();
        for (Map.Entry<String, List<Column>> e : columns.entrySet()) {
            String t = e.getKey();
            String create = show(c, "SHOW CREATE TABLE " + ident(t), 2);
            ddl.add(new Ddl(Phase.TABLES, "table " + db + "." + t, create));
            List<Column> cols = new ArrayList<>(e.getValue());
            SystemTime period = SystemTime.of(create);
            if (period != null) {
                // The period's columns hold TIMESTAMPs (or, transaction-precise, transaction ids that
                // mean nothing on another server); the hidden ROW_START and ROW_END are timestamps.
                String type = generatedTypes.getOrDefault(t + "\u0000" + period.start(), "timestamp");
                if (type.equals("timestamp")) {
                    cols.add(Column.of(period.start(), "timestamp"));
                    cols.add(Column.of(period.end(), "timestamp"));
                } else {
                    warnings.add("table " + db + "." + t + ": versioned by transaction ids, so only its current"
                            + " rows are backed up, not its history");
                    period = null;
                }
            }
            tables.add(new TableInfo(t, sizes.get(t), List.copyOf(cols), List.copyOf(primary
                    .getOrDefault(t, List.of())), rowCounts.get(t), period));
        }
        for (String kind : List.of("FUNCTION", "PROCEDURE")) {
            for (String name : names(c, "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA"
                    + " = DATABASE() AND ROUTINE_TYPE = '" + kind + "' ORDER BY ROUTINE_NAME")) {
                ddl.add(withSession(c, "SHOW CREATE " + kind + " " + ident(name), Phase.FUNCTIONS,
                        kind.toLowerCase() + " " + db + "." + name, "Create " + capitalized(kind)));
            }
        }
        for (String v : views) {
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SHOW CREATE VIEW " + ident(v))) {
                r.next();
                Map<String, String> session = new LinkedHashMap<>();
                session.put("character_set_client", r.getString("character_set_client"));
                session.put("collation_connection", r.getString("collation_connection"));
                ddl.add(new Ddl(Phase.VIEWS, "view " + db + "." + v, r.getString("Create View"), session));
            }
        }
        for (String name : names(c, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA"
                + " = DATABASE() ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER")) {
            ddl.add(withSession(c, "SHOW CREATE TRIGGER " + ident(name), Phase.TRIGGERS, "trigger " + db + "." + name,
                    "SQL Original Statement"));
        }
        for (String name : names(c, "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA"
                + " = DATABASE() ORDER BY EVENT_NAME")) {
            ddl.add(withSession(c, "SHOW CREATE EVENT " + ident(name), Phase.EVENTS, "event " + db + "." + name,
                    "Create Event"));
        }
        List<ForeignKey> foreignKeys = fks.values().stream().map(ForeignKeyBuilder::build).toList();
        return new Result(db, List.copyOf(ddl), tables, foreignKeys, warnings, fingerprint(ddl, db));
    }

    /**
     * SHA-256 over every statement (the database's own name, AUTO_INCREMENT counters and sequence
     * values left out).
     */
    static String fingerprint(List<Ddl> ddl, String db) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Ddl d : ddl) {
                if (d.phase() == Phase.SEQUENCE_VALUES) {
                    continue;
                }
                String object = d.object().replaceFirst("^(\\w+) [^.]*\\.?", "$1 ");
                String sql = d.phase() == Phase.SCHEMAS ? createOptions(d.sql())
                        : inAnyDatabase(comparable(d), db);
                sha.update((d.phase() + "\u0000" + object + "\u0000" + sql + "\u0000" + d.session() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return Hex.encode(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The object's own name: a schema entry's {@code object} is {@code KIND DB.NAME} ({@code sequence value DB.NAME}). */
    static String objectName(Ddl d) {
        return d.object().substring(d.object().indexOf('.') + 1);
    }

    /**
     * {@code sql} with the references to sequences of its own database {@code db} unqualified. MariaDB
     * prints a column default that draws from a sequence as {@code nextval(`db`.`seq`)}, naming the
     * database even where it is the table's own: unqualified, the statement draws from the sequence
     * of whichever database it is run in (a restore's new one, a drill's).
     */
    static String inAnyDatabase(String sql, String db) {
        return db == null ? sql : sql.replace("nextval(" + ident(db) + ".", "nextval(");
    }

    /** The statement as compared between two databases: a table's AUTO_INCREMENT counter left out. */
    static String comparable(Ddl d) {
        return d.phase() == Phase.TABLES ? AUTO_INCREMENT.matcher(d.sql()).replaceFirst("") : d.sql();
    }

    /** What follows the name in {@code SHOW CREATE DATABASE}: the character set and collation. */
    static String createOptions(String createDatabase) {
        int close = createDatabase.indexOf('`', createDatabase.indexOf('`') + 1);
        while (close >= 0 && close + 1 < createDatabase.length() && createDatabase.charAt(close + 1) == '`') {
            close = createDatabase.indexOf('`', close + 2);
        }
        return close < 0 ? "" : createDatabase.substring(close + 1);
    }

    private static Ddl withSession(Connection c, String show, Phase phase, String object, String column)
            throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(show)) {
            if (!r.next()) {
                throw new SQLException("'" + show + "' returned nothing; the user may lack the privilege to see"
                        + " the definition of " + object);
            }
            String sql = r.getString(column);
            if (sql == null) {
                throw new SQLException("'" + show + "' returned no definition; the user lacks the privilege to"
                        + " see " + object + " (grant SHOW VIEW, TRIGGER, EVENT or SELECT on mysql.proc)", "42000",
                        1227);
            }
            Map<String, String> session = new LinkedHashMap<>();
            session.put("sql_mode", r.getString("sql_mode"));
            if (phase == Phase.EVENTS) {
                session.put("time_zone", r.getString("time_zone"));
            }
            session.put("character_set_client", r.getString("character_set_client"));
            session.put("collation_connection", r.getString("collation_connection"));
            return new Ddl(phase, object, sql, session);
        }
    }

    private static String show(Connection c, String sql, int column) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
            r.next();
            return r.getString(column);
        }
    }

    private static List<String> names(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet r = st.executeQuery()) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static String capitalized(String s) {
        return s.charAt(0) + s.substring(1).toLowerCase();
    }

    private static final class ForeignKeyBuilder {
        final String name;
        final String table;
        final String references;
        final List<String> columns = new ArrayList<>();
        final List<String> referenced = new ArrayList<>();

        ForeignKeyBuilder(String name, String table, String references) {
            this.name = name;
            this.table = table;
            this.references = references;
        }

        void add(String column, String referencedColumn) {
            columns.add(column);
            referenced.add(referencedColumn);
        }

        ForeignKey build() {
            return new ForeignKey(name, table, columns, references, referenced);
        }
    }
}
