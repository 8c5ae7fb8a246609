package io.restorekit.source.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static io.restorekit.source.postgres.PgConnect.ident;
import static io.restorekit.source.postgres.PgConnect.literal;

/**
 * The objects of the schemas a restore replaces, moved into schemas of their own in the same
 * database ({@code ALTER ... SET SCHEMA}: no copy, and what depends on them follows), so that a
 * restore that fails can put them back as they were, and one that succeeds drops them.
 *
 * <p>The schemas themselves stay, with their owner and grants, and so do the members of
 * extensions: an extension installed in a replaced schema ({@code pgcrypto} in {@code public})
 * keeps serving the restored tables. Each schema moves in a transaction of its own, so a schema
 * is either wholly set aside or untouched.
 */
final class ReplacedSchemas {
    /** What {@code ALTER ... SET SCHEMA} moves, as {@code pg_identify_object} names its kinds. */
    private static final Set<String> MOVABLE = Set.of("table", "view", "materialized view", "sequence",
            "foreign table", "type", "function", "procedure", "aggregate", "collation", "conversion", "operator",
            "operator class", "operator family", "text search configuration", "text search dictionary",
            "text search parser", "text search template", "statistics object");

    /**
     * The objects of a schema that move one by one: not the members of an extension, nor what
     * moves with its owner (indexes, constraints, row and array types, the sequences of serial and
     * identity columns). A range type's multirange and constructors, and the partitions of a
     * partitioned table, do not follow their owner. Routines and operators come first: their
     * names spell the types of their arguments, which may move too.
     */
    private static final String OBJECTS = "SELECT o.type, o.identity FROM pg_depend d"
            + " CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, 0) o"
            + " WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = ?::regnamespace AND d.deptype = 'n'"
            + " AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classid AND x.objid = d.objid"
            + "  AND x.objsubid = 0 AND (x.deptype = 'e' OR x.deptype IN ('a', 'i') AND o.type = 'sequence'))"
            + " ORDER BY o.type NOT IN ('function', 'procedure', 'aggregate', 'operator'), o.type, o.identity";

    /** The objects of a schema to drop one by one: what goes with another object when that is dropped is left out. */
    private static final String OWNERS = OBJECTS.replace(" ORDER BY", " AND NOT EXISTS (SELECT 1 FROM pg_depend x"
            + " WHERE x.classid = d.classid AND x.objid = d.objid AND x.objsubid = 0 AND x.deptype = 'i'"
            + " AND x.refobjid <> x.objid) ORDER BY");

    /**
     * How long setting a schema's objects aside waits for other sessions' locks on them, in
     * milliseconds; then nothing is changed and the restore says so.
     */
    static volatile int lockTimeoutMs = 60_000;

    /**
     * Given {@code inside} (classid, objid: the objects to drop), the objects that depend on them,
     * each described as what goes: an object that is part of another (a view's rule, a table's
     * constraint or default) counts where its owner is, and one whose dropping drops its owner (a
     * view's rule) is named by it. A relation counts where it is: a partition elsewhere of a
     * replaced table is dropped with it. Ends in the {@code owned} rows, to filter by owner.
     */
    private static final String DEPENDENTS = " dependent AS (SELECT DISTINCT d.classid, d.objid FROM pg_depend d"
            + "  JOIN inside i ON d.refclassid = i.classid AND d.refobjid = i.objid WHERE d.deptype IN ('n', 'a')),"
            + " owned AS (SELECT t.classid, t.objid, o.deptype, COALESCE(o.refclassid, t.classid) AS ownclass,"
            + "  COALESCE(o.refobjid, t.objid) AS ownobj FROM dependent t LEFT JOIN LATERAL (SELECT x.deptype,"
            + "  x.refclassid, x.refobjid FROM pg_depend x WHERE x.classid = t.classid AND x.objid = t.objid"
            + "  AND t.classid <> 'pg_class'::regclass" // a relation (a partition, an owned sequence) is its own
            + "  AND x.objsubid = 0 AND x.deptype IN ('a', 'i') AND NOT (x.refclassid = x.classid"
            + "  AND x.refobjid = x.objid) ORDER BY x.deptype DESC LIMIT 1) o ON true)"
            + " SELECT DISTINCT CASE WHEN deptype = 'i' THEN pg_describe_object(ownclass, ownobj, 0)"
            + "  ELSE pg_describe_object(classid, objid, 0) END FROM owned";

    /**
     * A schema of the snapshot that the target held, where its objects are kept meanwhile (null
     * when they were not moved), and the objects of a movable kind that stayed there (all of them
     * when they were not moved; else any the moves left there, which PostgreSQL normally does not).
     */
    record Held(String schema, String aside, String comment, Set<String> stayed) {
    }

    /**
     * A foreign key of a table outside the replaced schemas that references a table in one of them.
     * Dropping the replaced objects drops it too; it is created again on the restored table.
     *
     * @param describe   as PostgreSQL describes it ({@code constraint x_fkey on table other.x}), as
     *                   {@link #dependentsOutside} names it
     * @param table      the referencing table, schema-qualified
     * @param referenced the referenced table, schema-qualified (quoted where needed)
     * @param schema     the referenced table's schema, and {@code relation} its name, as they are
     * @param definition {@code pg_get_constraintdef} with every name qualified, without {@code NOT VALID}
     * @param valid      whether it was validated
     */
    record Reference(String describe, String table, String name, String referenced, String schema,
                     String relation, String definition, boolean valid) {
        /** Why it cannot be created again: the restored schemas have no table of that name. */
        String missing() {
            return describe + " (the restored schemas have no table " + referenced + " for it to reference)";
        }
    }

    /** What became of the references of tables elsewhere once the replaced objects were dropped. */
    record Recreated(List<String> kept, List<String> lost) {
    }

    private final PgConnect target;
    private final List<Held> held;
    private final Set<String> extensions;
    private final List<String> created;
    private final List<Reference> references;

    private ReplacedSchemas(PgConnect target, List<Held> held, Set<String> extensions, List<String> created,
                            List<Reference> references) {
        this.target = target;
        this.held = held;
        this.extensions = extensions;
        this.created = created;
        this.references = references;
    }

    /**
     * Moves the objects of those of {@code schemas} that the target holds into new schemas named
     * {@code rk_replaced_<time>_<random>_<n>}; the others are noted, to be dropped should the
     * restore fail. When a schema cannot be set aside, those already moved are put back.
     */
    static ReplacedSchemas setAside(PgConnect target, Collection<String> schemas) throws SQLException {
        return track(target, schemas, true);
    }

    /**
     * Notes what the target database holds in {@code schemas} without moving anything (a restore
     * into a database without tables), so that a restore that fails can drop what it created.
     */
    static ReplacedSchemas keep(PgConnect target, Collection<String> schemas) throws SQLException {
        return track(target, schemas, false);
    }

    private static ReplacedSchemas track(PgConnect target, Collection<String> schemas, boolean move)
            throws SQLException {
        String tag = "rk_replaced_" + Long.toString(System.currentTimeMillis(), 36) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
        try (Connection c = target.open()) {
            Map<String, String> comments = new LinkedHashMap<>();
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT nspname,"
                    + " obj_description(oid, 'pg_namespace') FROM pg_namespace")) {
                while (r.next()) {
                    comments.put(r.getString(1), r.getString(2));
                }
            }
            Set<String> extensions = new java.util.HashSet<>(strings(c, "SELECT extname FROM pg_extension"));
            List<Held> held = new ArrayList<>();
            List<String> created = new ArrayList<>();
            List<Reference> references = move ? referencesOutside(c, schemas) : List.of();
            ReplacedSchemas aside = new ReplacedSchemas(target, held, extensions, created, references);
            try {
                for (String schema : schemas) {
                    if (!comments.containsKey(schema)) {
                        created.add(schema);
                        continue;
                    }
                    String to = move ? tag + "_" + (held.size() + 1) : null;
                    Set<String> stayed = new java.util.HashSet<>();
                    inTransaction(c, st -> {
                        if (move) {
                            st.execute("SET LOCAL lock_timeout = " + lockTimeoutMs);
                            st.execute("CREATE SCHEMA " + ident(to));
                            move(st, objects(c, OBJECTS, schema), to);
                        }
                        objects(c, OBJECTS, schema).forEach(o -> stayed.add(o[1]));
                    });
                    held.add(new Held(schema, to, comments.get(schema), stayed));
                }
            } catch (SQLException | RuntimeException e) {
                try {
                    aside.putBack(c);
                } catch (SQLException | RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            return aside;
        }
    }

    /** The schemas the target held: they stay, and are not created again. */
    Set<String> kept() {
        Set<String> kept = new java.util.HashSet<>();
        held.forEach(m -> kept.add(m.schema()));
        return kept;
    }

    /** The schemas holding the replaced objects, by the schema they came from. */
    List<Held> movedAside() {
        return held.stream().filter(m -> m.aside() != null).toList();
    }

    /** The names of the schemas holding the replaced objects. */
    List<String> asides() {
        return movedAside().stream().map(Held::aside).toList();
    }

    /**
     * Drops what the restore created in the replaced schemas (and the schemas and extensions it
     * created), moves the replaced objects back and restores the schemas' comments.
     */
    void putBack() throws SQLException {
        try (Connection c = target.open()) {
            putBack(c);
        }
    }

    private void putBack(Connection c) throws SQLException {
        inTransaction(c, st -> {
            for (String schema : created) {
                st.execute("DROP SCHEMA IF EXISTS " + ident(schema) + " CASCADE");
            }
            for (String e : strings(c, "SELECT extname FROM pg_extension")) {
                if (!extensions.contains(e)) {
                    st.execute("DROP EXTENSION IF EXISTS " + ident(e) + " CASCADE");
                }
            }
        });
        for (Held m : held) {
            inTransaction(c, st -> {
                for (String[] o : objects(c, OWNERS, m.schema())) {
                    if (MOVABLE.contains(o[0]) && !m.stayed().contains(o[1])) {
                        st.execute("DROP " + keyword(o[0]) + " IF EXISTS " + o[1] + " CASCADE");
                    }
                }
                st.execute("COMMENT ON SCHEMA " + ident(m.schema()) + " IS "
                        + (m.comment() == null ? "NULL" : literal(m.comment())));
                if (m.aside() != null) {
                    move(st, objects(c, OBJECTS, m.aside()), m.schema());
                    st.execute("DROP SCHEMA " + ident(m.aside()));
                }
            });
        }
    }

    /**
     * The objects outside {@code schemas} that depend on objects in them, as PostgreSQL describes
     * them: what dropping those schemas' objects drops too (a view elsewhere on a replaced table, a
     * foreign key of a table elsewhere that references one, a cast through a replaced function).
     */
    static List<String> dependentsOutside(Connection c, Collection<String> schemas) throws SQLException {
        java.sql.Array names = c.createArrayOf("text", schemas.toArray());
        return strings(c, "WITH inside AS (SELECT d.classid, d.objid FROM pg_depend d"
                + "  WHERE d.refclassid = 'pg_namespace'::regclass AND d.deptype = 'n'"
                + "  AND d.refobjid IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(?))"
                + "  AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = d.classid AND x.objid = d.objid"
                + "   AND x.deptype = 'e'))," + DEPENDENTS
                + " WHERE COALESCE((pg_identify_object(ownclass, ownobj, 0)).schema, '')" // quoted where needed
                + "  <> ALL(ARRAY(SELECT quote_ident(n) FROM unnest(?::text[]) n))"
                + " ORDER BY 1", names, names);
    }

    /**
     * The objects outside {@code tables} (schema-qualified, quoted where needed) that dropping them
     * with {@code CASCADE} drops too, as {@link #dependentsOutside} names them; their own indexes,
     * sequences and TOAST tables are left out (the snapshot creates them again with the tables).
     */
    static List<String> dependentsOfTables(Connection c, Collection<String> tables) throws SQLException {
        java.sql.Array names = c.createArrayOf("text", tables.toArray());
        return strings(c, "WITH inside AS (SELECT 'pg_class'::regclass AS classid, oid AS objid FROM pg_class"
                + "  WHERE oid = ANY(?::regclass[]) UNION ALL SELECT 'pg_type'::regclass, oid FROM pg_type"
                + "  WHERE typrelid = ANY(?::regclass[]))," + DEPENDENTS
                + " WHERE NOT EXISTS (SELECT 1 FROM inside i WHERE i.classid = ownclass AND i.objid = ownobj)"
                + " AND NOT (classid = 'pg_class'::regclass AND EXISTS (SELECT 1 FROM pg_class s"
                + "  WHERE s.oid = objid AND s.relkind IN ('S', 'i', 'I', 't')))"
                + " ORDER BY 1", names, names);
    }

    /**
     * The foreign keys of tables outside {@code schemas} that reference tables in them, read while
     * the referenced tables are still in {@code schemas} (so their definitions name them there).
     */
    static List<Reference> referencesOutside(Connection c, Collection<String> schemas) throws SQLException {
        return references(c, " AND r.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(?))"
                + " AND t.relnamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname = ANY(?))", schemas);
    }

    /**
     * The foreign keys of tables other than {@code tables} (schema-qualified, quoted where needed)
     * that reference one of them: what {@code DROP TABLE ... CASCADE} of those tables drops.
     */
    static List<Reference> referencesTo(Connection c, Collection<String> tables) throws SQLException {
        return references(c, " AND k.confrelid = ANY(?::regclass[]) AND k.conrelid <> ALL(?::regclass[])", tables);
    }

    /** The foreign keys matching {@code condition}, which takes {@code names} as its two parameters. */
    private static List<Reference> references(Connection c, String condition, Collection<String> names)
            throws SQLException {
        String where = " FROM pg_constraint k JOIN pg_class r ON r.oid = k.confrelid JOIN pg_class t ON t.oid = k.conrelid"
                + " WHERE k.contype = 'f' AND k.conparentid = 0" + condition;
        java.sql.Array array = c.createArrayOf("text", names.toArray());
        Map<Long, String> described = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT k.oid, pg_describe_object('pg_constraint'::regclass,"
                + " k.oid, 0)" + where + " ORDER BY 2")) {
            ps.setArray(1, array);
            ps.setArray(2, array);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    described.put(r.getLong(1), r.getString(2));
                }
            }
        }
        List<Reference> out = new ArrayList<>();
        if (described.isEmpty()) {
            return out;
        }
        inTransaction(c, st -> {
            st.execute("SET LOCAL search_path = pg_catalog"); // every name in the definitions qualified
            try (PreparedStatement ps = c.prepareStatement("SELECT k.oid, k.conrelid::regclass::text,"
                    + " quote_ident(k.conname), pg_get_constraintdef(k.oid), k.convalidated, k.confrelid::regclass::text,"
                    + " r.relnamespace::regnamespace::text, r.relname" + where)) {
                ps.setArray(1, array);
                ps.setArray(2, array);
                Map<Long, Reference> byOid = new java.util.HashMap<>();
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        String definition = r.getString(4);
                        if (definition.endsWith(" NOT VALID")) {
                            definition = definition.substring(0, definition.length() - " NOT VALID".length());
                        }
                        byOid.put(r.getLong(1), new Reference(described.get(r.getLong(1)), r.getString(2),
                                r.getString(3), r.getString(6), unquoted(r.getString(7)), r.getString(8), definition,
                                r.getBoolean(5)));
                    }
                }
                described.keySet().stream().map(byOid::get).filter(java.util.Objects::nonNull).forEach(out::add);
            }
        });
        return out;
    }

    /**
     * Creates the foreign keys of tables elsewhere that referenced the replaced tables again, on
     * the restored tables, once the replaced objects are dropped. A key the restored rows do not
     * satisfy is created {@code NOT VALID} (in force for new rows); one that cannot be created at
     * all (the restored table has no such key columns) is lost, and said so.
     */
    Recreated recreateReferences() throws SQLException {
        List<String> kept = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        if (references.isEmpty()) {
            return new Recreated(kept, lost);
        }
        try (Connection c = target.open()) {
            for (Reference ref : references) {
                if (!exists(c, ref.table())) {
                    continue; // it went with the replaced objects (a partition of a replaced table)
                }
                if (!exists(c, ref.referenced())) {
                    lost.add(ref.missing());
                    continue;
                }
                try {
                    boolean validated = recreate(c, ref);
                    kept.add(ref.describe() + (ref.valid() && !validated ? " (NOT VALID: rows there reference rows"
                            + " the restored table does not hold; VALIDATE CONSTRAINT once they are mended)" : ""));
                } catch (SQLException e) {
                    lost.add(ref.describe() + " (could not be created again: " + e.getMessage() + ")");
                }
            }
        }
        return new Recreated(kept, lost);
    }

    private static String unquoted(String name) {
        return name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT to_regclass("
                + literal(table) + ") IS NOT NULL")) {
            return r.next() && r.getBoolean(1);
        }
    }

    /** Creates the key again in a transaction of its own; returns whether it is validated. */
    private static boolean recreate(Connection c, Reference ref) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL search_path = pg_catalog");
            boolean validated = addAndValidate(st, ref);
            c.commit();
            return validated;
        } catch (SQLException | RuntimeException e) {
            PostgresRestore.rollback(c, e);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Adds the key {@code NOT VALID} (in force for new rows), then validates it if it was valid,
     * behind a savepoint; returns whether it is validated. Runs in a transaction whose search path
     * is {@code pg_catalog}, which the definitions' qualified names need.
     */
    private static boolean addAndValidate(Statement st, Reference ref) throws SQLException {
        st.execute("ALTER TABLE " + ref.table() + " ADD CONSTRAINT " + ref.name() + " " + ref.definition()
                + " NOT VALID");
        if (!ref.valid()) {
            return false;
        }
        st.execute("SAVEPOINT validate");
        try {
            st.execute("ALTER TABLE " + ref.table() + " VALIDATE CONSTRAINT " + ref.name());
            return true;
        } catch (SQLException e) {
            st.execute("ROLLBACK TO SAVEPOINT validate");
            return false;
        }
    }

    /**
     * Creates {@code references} again inside the caller's transaction, each behind a savepoint (a
     * restore of tables into another database, which dropped them with the tables it replaced);
     * returns a note per key that the restored rows do not satisfy or that could not be created.
     */
    static List<String> recreateInTransaction(Connection c, List<Reference> references) throws SQLException {
        List<String> notes = new ArrayList<>();
        if (references.isEmpty()) {
            return notes;
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL search_path = pg_catalog");
            // (SET LOCAL: the caller's commit or rollback ends it)
            for (Reference ref : references) {
                st.execute("SAVEPOINT reference");
                try {
                    boolean validated = addAndValidate(st, ref);
                    if (ref.valid() && !validated) {
                        notes.add(ref.describe() + " created again NOT VALID: rows of " + ref.table()
                                + " reference rows the restored " + ref.referenced() + " does not hold");
                    }
                } catch (SQLException e) {
                    st.execute("ROLLBACK TO SAVEPOINT reference");
                    notes.add("not recreated: " + ref.describe() + " (" + e.getMessage() + ")");
                }
            }
        }
        return notes;
    }

    /** The foreign keys of tables elsewhere that referenced replaced tables, by description. */
    Set<String> referenceNames() {
        Set<String> out = new java.util.HashSet<>();
        references.forEach(r -> out.add(r.describe()));
        return out;
    }

    /** What dropping the replaced objects drops too: see {@link #dependentsOutside}. */
    List<String> dependents() throws SQLException {
        if (asides().isEmpty()) {
            return List.of();
        }
        try (Connection c = target.open()) {
            return dependentsOutside(c, asides());
        }
    }

    /** Drops the replaced objects, once the restore has succeeded. */
    void drop() throws SQLException {
        try (Connection c = target.open()) {
            for (String aside : asides()) {
                inTransaction(c, st -> st.execute("DROP SCHEMA IF EXISTS " + ident(aside) + " CASCADE"));
            }
        }
    }

    private static void move(Statement st, List<String[]> objects, String to) throws SQLException {
        for (String[] o : objects) {
            if (MOVABLE.contains(o[0])) {
                String sql = "ALTER " + keyword(o[0]) + " " + o[1] + " SET SCHEMA " + ident(to);
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException(e.getMessage() + " (statement: " + sql + ")", e.getSQLState(), e);
                }
            }
        }
    }

    /** The statement keyword of a kind of object, as {@code pg_identify_object} names it. */
    private static String keyword(String type) {
        return type.equals("statistics object") ? "STATISTICS" : type.toUpperCase(Locale.ROOT);
    }

    private static List<String[]> objects(Connection c, String query, String schema) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(query)) {
            ps.setString(1, ident(schema));
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(new String[] {r.getString(1), r.getString(2)});
                }
            }
        }
        return out;
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static List<String> strings(Connection c, String sql, java.sql.Array first, java.sql.Array second)
            throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, first);
            ps.setArray(2, second);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }

    private interface Work {
        void run(Statement st) throws SQLException;
    }

    private static void inTransaction(Connection c, Work work) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            work.run(st);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            PostgresRestore.rollback(c, e);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
