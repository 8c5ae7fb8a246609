package io.restorekit.source.mysql;

import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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
 */
final class ReplacedTables {
    /** The table of the database set aside holding the statements of what cannot move. */
    static final String STATEMENTS = "rk_replaced_statements";

    private final MySqlConnect target;
    private final String name;
    private final List<String> tables;
    private final MySqlSchema.Result schema;
    private final List<Ddl> triggers;
    private final boolean whole;

    private ReplacedTables(MySqlConnect target, String name, List<String> tables, MySqlSchema.Result schema,
                           List<Ddl> triggers, boolean whole) {
        this.target = target;
        this.name = name;
        this.tables = tables;
        this.schema = schema;
        this.triggers = triggers;
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
     * The tables among {@code tables} that tables outside them reference by foreign key: setting
     * those aside would take the references along, so they cannot be.
     */
    static List<String> referencedFromOutside(Connection c, Collection<String> tables) throws SQLException {
        Set<String> moving = new HashSet<>(tables);
        Set<String> out = new java.util.TreeSet<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT TABLE_NAME,"
                + " REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS"
                + " WHERE CONSTRAINT_SCHEMA = DATABASE() AND UNIQUE_CONSTRAINT_SCHEMA = DATABASE()")) {
            while (r.next()) {
                if (!moving.contains(r.getString(1)) && moving.contains(r.getString(2))) {
                    out.add(r.getString(2));
                }
            }
        }
        return List.copyOf(out);
    }

    private static ReplacedTables setAside(MySqlConnect target, List<String> some) throws SQLException {
        String name = "rk_replaced_" + Long.toString(System.currentTimeMillis(), 36) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            MySqlSchema.Result schema = MySqlSchema.read(c);
            List<String> tables = new ArrayList<>();
            Set<String> triggerNames = new HashSet<>();
            try (ResultSet r = st.executeQuery("SELECT TABLE_NAME FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE <> 'VIEW'")) {
                while (r.next()) {
                    if (some == null || some.contains(r.getString(1))) {
                        tables.add(r.getString(1));
                    }
                }
            }
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
            ReplacedTables aside = new ReplacedTables(target, name, tables, schema, triggers, some == null);
            st.execute("CREATE DATABASE " + ident(name));
            try {
                aside.keepStatements(c, some == null ? schema.ddl().stream().filter(d -> d.phase() != Phase.TABLES
                        && d.phase() != Phase.SEQUENCES && !d.phase().stateOnly()).toList() : triggers);
                for (Ddl d : triggers) {
                    st.execute("DROP TRIGGER " + ident(MySqlSchema.objectName(d)));
                }
                aside.move(st, target.database(), name);
            } catch (SQLException e) {
                try {
                    MySqlRestore.execute(c, triggers.stream().filter(d -> !exists(st, d)).toList());
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
            }
        }
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
