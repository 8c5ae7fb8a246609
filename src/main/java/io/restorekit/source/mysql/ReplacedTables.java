package io.restorekit.source.mysql;

import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static io.restorekit.source.mysql.MySqlConnect.ident;
import static io.restorekit.source.mysql.MySqlConnect.literal;

/**
 * Tables a restore replaces, moved into a database of their own on the same server
 * ({@code RENAME TABLE}: no copy) until the restore is done: put back when it fails, dropped when
 * it succeeds.
 *
 * <p>A whole restore moves every table of the database and keeps the statements that re-create
 * its routines, views and events, which cannot move; a restore of a scope into another database
 * moves the tables of the scope that are there. Triggers cannot follow their table into another
 * database: those of the moved tables are dropped first and re-created when the tables come back.
 * Nor should the foreign keys of tables that stay: those referencing a moved table are dropped
 * meanwhile and created again once the restored tables, or the old ones, are in place.
 */
final class ReplacedTables {
    /** The table of the database set aside holding the statements of what cannot move. */
    static final String STATEMENTS = "rk_replaced_statements";

    private final MySqlConnect target;
    private final String name;
    private final List<String> tables;
    private final MySqlSchema.Result schema;
    private final List<Ddl> triggers;
    private final List<Reference> references;
    private final boolean whole;

    private ReplacedTables(MySqlConnect target, String name, List<String> tables, MySqlSchema.Result schema,
                           List<Ddl> triggers, List<Reference> references, boolean whole) {
        this.target = target;
        this.name = name;
        this.tables = tables;
        this.schema = schema;
        this.triggers = triggers;
        this.references = references;
        this.whole = whole;
    }

    /** Sets every table of the target database aside (a whole restore with {@code --yes}). */
    static ReplacedTables wholeDatabase(MySqlConnect target) throws SQLException {
        return setAside(target, null);
    }

    /** Sets the given tables of the target database aside (a scoped restore into it with {@code --yes}). */
    static ReplacedTables of(MySqlConnect target, Collection<String> tables) throws SQLException {
        return setAside(target, List.copyOf(tables));
    }

    /**
     * A foreign key of a table outside the tables set aside (in the same database or another one)
     * that references one of them. Setting the table aside would take the reference along, so the
     * key is dropped meanwhile and created again on the table of the same name once the restore is
     * done or the old tables are back.
     *
     * @param schema     the referencing table's database
     * @param label      the referencing table's name, qualified when it is in another database
     * @param columns    its columns, quoted, in the key's order
     * @param referenced the referenced table's columns, quoted, in the same order
     */
    record Reference(String schema, String table, String label, String name, String references,
                     List<String> columns, List<String> referenced, Ddl create) {
        String describe() {
            return "foreign key " + name + " of " + label + " (references " + references + ")";
        }

        /** What {@code rows} of its rows that reference no row of the restored table mean. */
        String dangling(long rows) {
            return rows + " row(s) of " + label + " reference rows that the restored " + references + " does not hold";
        }
    }

    /** The base tables (not views) of the connection's database. */
    static List<String> baseTables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT TABLE_NAME FROM"
                + " information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE <> 'VIEW'")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        return tables;
    }

    /** The foreign keys of tables outside {@code tables} that reference one of them. */
    static List<Reference> referencesFromOutside(Connection c, Collection<String> tables) throws SQLException {
        Set<String> moving = new HashSet<>(tables);
        String database;
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT DATABASE()")) {
            r.next();
            database = r.getString(1);
        }
        List<String[]> keys = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT CONSTRAINT_SCHEMA, TABLE_NAME,"
                + " CONSTRAINT_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE FROM"
                + " information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = DATABASE()"
                + " ORDER BY CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME")) {
            while (r.next()) {
                boolean outside = !r.getString(1).equals(database) || !moving.contains(r.getString(2));
                if (outside && moving.contains(r.getString(4))) {
                    keys.add(new String[] {r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6)});
                }
            }
        }
        List<Reference> out = new ArrayList<>();
        for (String[] k : keys) {
            List<String> columns = new ArrayList<>();
            List<String> referenced = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, REFERENCED_COLUMN_NAME FROM"
                    + " information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?"
                    + " AND CONSTRAINT_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY ORDINAL_POSITION")) {
                ps.setString(1, k[0]);
                ps.setString(2, k[1]);
                ps.setString(3, k[2]);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        columns.add(ident(r.getString(1)));
                        referenced.add(ident(r.getString(2)));
                    }
                }
            }
            String label = k[0].equals(database) ? k[1] : k[0] + "." + k[1];
            // The key as SHOW CREATE TABLE writes it: information_schema cannot tell an explicit
            // NO ACTION or RESTRICT from none, which SHOW CREATE TABLE does.
            String clause = "CONSTRAINT " + ident(k[2]) + " FOREIGN KEY (" + String.join(", ", columns)
                    + ") REFERENCES " + ident(database) + "." + ident(k[3]) + " (" + String.join(", ", referenced)
                    + ") ON DELETE " + k[5] + " ON UPDATE " + k[4];
            try (Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SHOW CREATE TABLE " + ident(k[0]) + "." + ident(k[1]))) {
                String head = "CONSTRAINT " + ident(k[2]) + " FOREIGN KEY ";
                for (String line : (r.next() ? r.getString(2) : "").split("\n")) {
                    String l = line.strip();
                    if (l.startsWith(head)) {
                        clause = l.endsWith(",") ? l.substring(0, l.length() - 1) : l;
                        break;
                    }
                }
            }
            String create = "ALTER TABLE " + ident(k[0]) + "." + ident(k[1]) + " ADD " + clause;
            out.add(new Reference(k[0], k[1], label, k[2], k[3], columns, referenced,
                    new Ddl(Phase.FOREIGN_KEYS, "foreign key " + k[2] + " of table " + label, create)));
        }
        return out;
    }

    private static ReplacedTables setAside(MySqlConnect target, List<String> some) throws SQLException {
        String name = "rk_replaced_" + Long.toString(System.currentTimeMillis(), 36) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            MySqlSchema.Result schema = MySqlSchema.read(c);
            List<String> tables = baseTables(c).stream().filter(t -> some == null || some.contains(t)).toList();
            Set<String> triggerNames = new HashSet<>();
            try (ResultSet r = st.executeQuery("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM"
                    + " information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")) {
                while (r.next()) {
                    if (tables.contains(r.getString(2))) {
                        triggerNames.add(r.getString(1));
                    }
                }
            }
            List<Ddl> triggers = schema.ddl().stream().filter(d -> d.phase() == Phase.TRIGGERS
                    && triggerNames.contains(MySqlSchema.objectName(d))).toList();
            List<Reference> references = referencesFromOutside(c, tables);
            ReplacedTables aside = new ReplacedTables(target, name, tables, schema, triggers, references, some == null);
            st.execute("CREATE DATABASE " + ident(name));
            try {
                List<Ddl> kept = new ArrayList<>(some == null ? schema.ddl().stream().filter(d -> d.phase()
                        != Phase.TABLES && d.phase() != Phase.SEQUENCES && !d.phase().stateOnly()).toList() : triggers);
                references.forEach(r -> kept.add(r.create()));
                aside.keepStatements(c, kept);
                for (Reference r : references) {
                    st.execute("ALTER TABLE " + ident(r.schema()) + "." + ident(r.table()) + " DROP FOREIGN KEY "
                            + ident(r.name()));
                }
                for (Ddl d : triggers) {
                    st.execute("DROP TRIGGER " + ident(MySqlSchema.objectName(d)));
                }
                aside.move(st, target.database(), name);
            } catch (SQLException e) {
                try {
                    MySqlRestore.execute(c, triggers.stream().filter(d -> !exists(st, d)).toList());
                    aside.referencesBack(c);
                    st.execute("DROP DATABASE " + ident(name));
                } catch (SQLException | RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            return aside;
        }
    }

    /**
     * Writes the statements that re-create what cannot move (the database's options, routines,
     * views, triggers, events) into a table of the database set aside, {@code rk_replaced_statements},
     * so that they outlive a restore that is killed before it could put them back.
     */
    private void keepStatements(Connection c, List<Ddl> statements) throws SQLException {
        String table = tables.contains(STATEMENTS) ? STATEMENTS + "_" + Integer.toHexString(
                ThreadLocalRandom.current().nextInt(1 << 20)) : STATEMENTS;
        String qualified = ident(name) + "." + ident(table);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + qualified + " (position INT PRIMARY KEY, object VARCHAR(512) NOT NULL,"
                    + " session TEXT, statement LONGTEXT NOT NULL) DEFAULT CHARSET = utf8mb4");
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO " + qualified + " VALUES (?, ?, ?, ?)")) {
            int position = 0;
            for (Ddl d : statements) {
                ps.setInt(1, ++position);
                ps.setString(2, d.object());
                ps.setString(3, d.session() == null ? null : d.session().toString());
                ps.setString(4, d.sql());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The database holding the tables meanwhile. */
    String name() {
        return name;
    }

    /** The foreign keys of tables outside that were dropped while the tables are aside. */
    List<Reference> references() {
        return references;
    }

    /**
     * Creates the foreign keys of tables outside that reference the tables set aside again, on the
     * tables of the same name now in the database (the restored ones, or the old ones put back),
     * without checking the rows ({@code foreign_key_checks = 0}, as a dump's load does).
     */
    void referencesBack() throws SQLException {
        if (!references.isEmpty()) {
            try (Connection c = target.open()) {
                referencesBack(c);
            }
        }
    }

    private void referencesBack(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET foreign_key_checks = 0");
        }
        for (Reference r : references) {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM"
                    + " information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?"
                    + " AND CONSTRAINT_NAME = ?")) {
                ps.setString(1, r.schema());
                ps.setString(2, r.table());
                ps.setString(3, r.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        continue;
                    }
                }
            }
            MySqlRestore.execute(c, List.of(r.create()));
        }
    }

    /**
     * Per foreign key of a table outside, how many of its rows reference a row the table of that
     * name does not hold (after a restore that brought back other rows than were there); keys
     * without such rows are left out.
     */
    Map<Reference, Long> dangling() throws SQLException {
        Map<Reference, Long> out = new java.util.LinkedHashMap<>();
        if (references.isEmpty()) {
            return out;
        }
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            for (Reference r : references) {
                List<String> set = new ArrayList<>();
                List<String> match = new ArrayList<>();
                for (int i = 0; i < r.columns().size(); i++) {
                    set.add("o." + r.columns().get(i) + " IS NOT NULL");
                    match.add("p." + r.referenced().get(i) + " = o." + r.columns().get(i));
                }
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + ident(r.schema()) + "." + ident(r.table())
                        + " o WHERE " + String.join(" AND ", set) + " AND NOT EXISTS (SELECT 1 FROM "
                        + ident(target.database()) + "." + ident(r.references()) + " p WHERE "
                        + String.join(" AND ", match) + ")")) {
                    long n = rs.next() ? rs.getLong(1) : 0;
                    if (n > 0) {
                        out.put(r, n);
                    }
                }
            }
        }
        return out;
    }

    private static boolean exists(Statement st, Ddl trigger) {
        try (ResultSet r = st.executeQuery("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE"
                + " TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = " + literal(MySqlSchema.objectName(trigger)))) {
            return r.next() && r.getLong(1) > 0;
        } catch (SQLException e) {
            return false;
        }
    }

    private List<Ddl> phase(Phase phase) {
        return schema.ddl().stream().filter(d -> d.phase() == phase).toList();
    }

    private void move(Statement st, String from, String to) throws SQLException {
        if (!tables.isEmpty()) {
            st.execute("RENAME TABLE " + String.join(", ", tables.stream().map(t -> ident(from) + "." + ident(t)
                    + " TO " + ident(to) + "." + ident(t)).toList()));
        }
    }

    /**
     * Puts the tables back as they were. A whole database is created again (its options, its
     * tables moved back, its routines, views, triggers and events); of a scope, the tables the
     * restore created in their place are dropped and the old ones moved back with their triggers.
     */
    void putBack() throws SQLException {
        if (whole) {
            String options = phase(Phase.SCHEMAS).stream().findFirst()
                    .map(d -> MySqlSchema.createOptions(d.sql())).orElse("");
            try (Connection admin = target.withDatabase("").open(); Statement st = admin.createStatement()) {
                st.execute("CREATE DATABASE " + ident(target.database()) + options);
                move(st, name, target.database());
            }
            try (Connection c = target.open()) {
                MySqlRestore.execute(c, phase(Phase.FUNCTIONS));
                MySqlRestore.execute(c, MySqlRestore.tryAll(c, phase(Phase.VIEWS)));
                MySqlRestore.execute(c, triggers);
                MySqlRestore.execute(c, phase(Phase.EVENTS));
                referencesBack(c);
            }
        } else {
            try (Connection c = target.open(); Statement st = c.createStatement()) {
                st.execute("SET foreign_key_checks = 0");
                if (!tables.isEmpty()) {
                    st.execute("DROP TABLE IF EXISTS " + String.join(", ", tables.stream()
                            .map(MySqlConnect::ident).toList()));
                }
                move(st, name, target.database());
                MySqlRestore.execute(c, triggers);
                referencesBack(c);
            }
        }
        drop();
    }

    /**
     * Once a whole restore has succeeded: the foreign keys of other databases' tables that
     * referenced the replaced tables are created again on the restored ones, and the replaced
     * tables dropped.
     */
    void finish() throws SQLException {
        referencesBack();
        drop();
    }

    /** Drops the replaced tables, once the restore has succeeded. */
    void drop() throws SQLException {
        try (Connection admin = target.withDatabase("").open(); Statement st = admin.createStatement()) {
            st.execute("SET foreign_key_checks = 0");
            st.execute("DROP DATABASE IF EXISTS " + ident(name));
        }
    }
}
