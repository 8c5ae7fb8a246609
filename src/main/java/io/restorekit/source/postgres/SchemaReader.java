package io.restorekit.source.postgres;

import io.restorekit.common.Hex;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restorekit.source.postgres.PgConnect.ident;
import static io.restorekit.source.postgres.PgConnect.literal;
import static io.restorekit.source.postgres.PgConnect.qualified;

/**
 * Reads a database's schema from the catalog over JDBC and writes it as DDL in restore order.
 * Runs inside the backup's snapshot transaction. Objects it cannot recreate become warnings.
 * Ownership and privileges are not captured: a restore creates everything as the restoring role.
 */
public final class SchemaReader {
    private static final String USER_NS = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

    private static String notExtension(String catalog, String oid) {
        return "NOT EXISTS (SELECT 1 FROM pg_depend xd WHERE xd.classid = '" + catalog + "'::regclass AND xd.objid = "
                + oid + " AND xd.deptype = 'e')";
    }

    /** A table whose rows are dumped: its COPY column list and size. */
    public record TableInfo(long oid, String schema, String name, List<String> columns, long size) {
    }

    public record Result(List<Ddl> ddl, List<TableInfo> tables, List<String> warnings, String fingerprint) {
    }

    private final Connection c;
    private final int serverVersion;
    private final List<Ddl> ddl = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public SchemaReader(Connection connection) throws SQLException {
        this.c = connection;
        this.serverVersion = Integer.parseInt(one("SHOW server_version_num"));
    }

    public Result read() throws SQLException {
        schemas();
        extensions();
        types();
        Map<Long, String> identitySequences = sequences();
        functions();
        List<TableInfo> tables = tables(identitySequences);
        constraints();
        indexes();
        views();
        triggers();
        rules();
        policies();
        unsupported();
        return new Result(List.copyOf(ddl), tables, List.copyOf(warnings), fingerprint(ddl));
    }

    /** SHA-256 over every schema statement, leaving out those that only carry state. */
    public static String fingerprint(List<Ddl> ddl) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Ddl d : ddl) {
                if (!d.phase().stateOnly()) {
                    sha.update((d.phase() + "\n" + d.sql() + "\n\0").getBytes(StandardCharsets.UTF_8));
                }
            }
            return Hex.encode(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void add(Phase phase, String object, String sql) {
        ddl.add(new Ddl(phase, object, sql));
    }

    private void comment(String target, String object, String text) {
        if (text != null) {
            add(Phase.COMMENTS, object, "COMMENT ON " + target + " IS " + literal(text));
        }
    }

    private void schemas() throws SQLException {
        query("SELECT n.nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE " + USER_NS
                + " AND " + notExtension("pg_namespace", "n.oid") + " ORDER BY n.nspname", r -> {
            String name = r.getString(1);
            add(Phase.SCHEMAS, "schema " + name, "CREATE SCHEMA IF NOT EXISTS " + ident(name));
            comment("SCHEMA " + ident(name), "schema " + name, r.getString(2));
        });
    }

    private void extensions() throws SQLException {
        query("SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                + " WHERE e.extname <> 'plpgsql' ORDER BY e.extname", r -> add(Phase.EXTENSIONS,
                "extension " + r.getString(1), "CREATE EXTENSION IF NOT EXISTS " + ident(r.getString(1))
                        + " WITH SCHEMA " + ident(r.getString(2))));
    }

    private void types() throws SQLException {
        query("SELECT t.oid, n.nspname, t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod), t.typnotnull,"
                + " t.typdefault, t.typrelid, obj_description(t.oid, 'pg_type'),"
                + " (SELECT format_type(rngsubtype, NULL) FROM pg_range WHERE rngtypid = t.oid)"
                + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + USER_NS
                + " AND " + notExtension("pg_type", "t.oid")
                + " AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class"
                + " WHERE oid = t.typrelid) = 'c') OR (t.typtype = 'b' AND NOT EXISTS (SELECT 1 FROM pg_type a"
                + " WHERE a.typarray = t.oid)))"
                + " ORDER BY CASE WHEN t.typtype IN ('e', 'r') THEN 0 ELSE 1 END, n.nspname, t.typname", r -> {
            long oid = r.getLong(1);
            String q = qualified(r.getString(2), r.getString(3));
            String object = "type " + r.getString(2) + "." + r.getString(3);
            switch (r.getString(4)) {
                case "e" -> {
                    List<String> labels = strings("SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY"
                            + " enumsortorder", oid);
                    add(Phase.TYPES, object, "CREATE TYPE " + q + " AS ENUM (" + String.join(", ",
                            labels.stream().map(PgConnect::literal).toList()) + ")");
                }
                case "r" -> add(Phase.TYPES, object, "CREATE TYPE " + q + " AS RANGE (SUBTYPE = " + r.getString(10)
                        + ")");
                case "c" -> {
                    List<String> attrs = new ArrayList<>();
                    query("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ?"
                            + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum", a -> attrs.add(
                            ident(a.getString(1)) + " " + a.getString(2)), r.getLong(8));
                    add(Phase.TYPES, object, "CREATE TYPE " + q + " AS (" + String.join(", ", attrs) + ")");
                }
                case "d" -> {
                    StringBuilder sb = new StringBuilder("CREATE DOMAIN " + q + " AS " + r.getString(5));
                    if (r.getString(7) != null) {
                        sb.append(" DEFAULT ").append(r.getString(7));
                    }
                    if (r.getBoolean(6)) {
                        sb.append(" NOT NULL");
                    }
                    query("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = ?"
                            + " AND contype = 'c' ORDER BY conname", k -> sb.append(" CONSTRAINT ")
                            .append(ident(k.getString(1))).append(' ').append(k.getString(2)), oid);
                    add(Phase.TYPES, object, sb.toString());
                }
                default -> {
                    warnings.add(object + ": base type defined in C is not recreated");
                    return;
                }
            }
            comment("TYPE " + q, object, r.getString(9));
        });
    }

    /** Creates standalone sequences; returns identity sequences by "table oid/attnum". */
    private Map<Long, String> sequences() throws SQLException {
        Map<Long, String> identity = new HashMap<>();
        query("SELECT c.oid, n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,"
                + " s.seqmax, s.seqmin, s.seqcache, s.seqcycle, d.deptype, tn.nspname, t.relname, a.attname,"
                + " obj_description(c.oid, 'pg_class'), d.refobjid, d.refobjsubid"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_sequence s ON s.seqrelid = c.oid"
                + " LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid"
                + "  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
                + " LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace"
                + " LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                + " WHERE c.relkind = 'S' AND " + USER_NS + " AND " + notExtension("pg_class", "c.oid")
                + " ORDER BY n.nspname, c.relname", r -> {
            String q = qualified(r.getString(2), r.getString(3));
            String object = "sequence " + r.getString(2) + "." + r.getString(3);
            String options = " INCREMENT BY " + r.getLong(6) + " MINVALUE " + r.getLong(8) + " MAXVALUE "
                    + r.getLong(7) + " START WITH " + r.getLong(5) + " CACHE " + r.getLong(9)
                    + (r.getBoolean(10) ? " CYCLE" : " NO CYCLE");
            if ("i".equals(r.getString(11))) {
                identity.put(r.getLong(16) * 10_000 + r.getInt(17), "SEQUENCE NAME " + q + options);
            } else {
                add(Phase.SEQUENCES, object, "CREATE SEQUENCE " + q + " AS " + r.getString(4) + options);
                if ("a".equals(r.getString(11))) {
                    add(Phase.SEQUENCE_OWNERSHIP, object, "ALTER SEQUENCE " + q + " OWNED BY "
                            + qualified(r.getString(12), r.getString(13)) + "." + ident(r.getString(14)));
                }
                comment("SEQUENCE " + q, object, r.getString(15));
            }
            String[] value = new String[2];
            query("SELECT last_value, is_called FROM " + q, v -> {
                value[0] = v.getString(1);
                value[1] = v.getBoolean(2) ? "true" : "false";
            });
            add(Phase.SEQUENCE_VALUES, object, "SELECT pg_catalog.setval(" + literal(q) + ", " + value[0] + ", "
                    + value[1] + ")");
        });
        return identity;
    }

    private void functions() throws SQLException {
        query("SELECT n.nspname, p.proname, p.prokind, pg_get_function_identity_arguments(p.oid),"
                + " CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END,"
                + " obj_description(p.oid, 'pg_proc')"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_NS
                + " AND " + notExtension("pg_proc", "p.oid")
                + " AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass"
                + "  AND i.objid = p.oid AND i.deptype = 'i')"
                + " ORDER BY n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)", r -> {
            String signature = qualified(r.getString(1), r.getString(2)) + "(" + r.getString(4) + ")";
            String object = (r.getString(3).equals("p") ? "procedure " : "function ") + r.getString(1) + "."
                    + r.getString(2) + "(" + r.getString(4) + ")";
            if (r.getString(5) == null) {
                warnings.add(object + ": aggregate is not recreated");
                return;
            }
            add(Phase.FUNCTIONS, object, r.getString(5).strip());
            comment((r.getString(3).equals("p") ? "PROCEDURE " : "FUNCTION ") + signature, object, r.getString(6));
        });
    }

    private record Column(String name, String type, boolean notNull, String identity, String generated,
                          String def, String collation, String comment) {
    }

    private record Rel(long oid, String schema, String name, String kind, String persistence, String bound,
                       String partKey, long parent, String options, long size, boolean rowSecurity,
                       boolean forceRowSecurity, String comment) {
        String q() {
            return qualified(schema, name);
        }
    }

    private List<TableInfo> tables(Map<Long, String> identitySequences) throws SQLException {
        Map<Long, Rel> rels = new LinkedHashMap<>();
        query("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence,"
                + " CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,"
                + " CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,"
                + " COALESCE((SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid LIMIT 1), 0),"
                + " array_to_string(c.reloptions, ', '), pg_total_relation_size(c.oid), c.relrowsecurity,"
                + " c.relforcerowsecurity, obj_description(c.oid, 'pg_class')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND " + USER_NS + " AND " + notExtension("pg_class", "c.oid")
                + " ORDER BY n.nspname, c.relname", r -> rels.put(r.getLong(1), new Rel(r.getLong(1), r.getString(2),
                r.getString(3), r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getLong(8),
                r.getString(9), r.getLong(10), r.getBoolean(11), r.getBoolean(12), r.getString(13))));
        Map<Long, List<Column>> columns = new HashMap<>();
        query("SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,"
                + " a.attgenerated, pg_get_expr(ad.adbin, ad.adrelid),"
                + " CASE WHEN a.attcollation <> t.typcollation THEN (SELECT quote_ident(cn.nspname) || '.' ||"
                + "  quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace"
                + "  WHERE co.oid = a.attcollation) END, col_description(a.attrelid, a.attnum), a.attnum"
                + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
                + " WHERE c.relkind IN ('r', 'p') AND " + USER_NS + " AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attrelid, a.attnum", r -> {
            long rel = r.getLong(1);
            String identity = r.getString(5);
            if (identity != null && !identity.isEmpty()) {
                String seq = identitySequences.get(rel * 10_000 + r.getInt(10));
                identity = (identity.equals("a") ? "ALWAYS" : "BY DEFAULT") + (seq == null ? "" : ":" + seq);
            } else {
                identity = null;
            }
            String generated = r.getString(6);
            columns.computeIfAbsent(rel, k -> new ArrayList<>()).add(new Column(r.getString(2), r.getString(3),
                    r.getBoolean(4), identity, generated == null || generated.isEmpty() ? null : generated,
                    r.getString(7), r.getString(8), r.getString(9)));
        });

        List<TableInfo> tables = new ArrayList<>();
        for (Rel rel : ordered(rels)) {
            List<Column> cols = columns.getOrDefault(rel.oid, List.of());
            String object = "table " + rel.schema + "." + rel.name;
            StringBuilder sb = new StringBuilder("CREATE ");
            if ("u".equals(rel.persistence)) {
                sb.append("UNLOGGED ");
            }
            sb.append("TABLE ").append(rel.q());
            Rel parent = rels.get(rel.parent);
            if (rel.bound != null && parent != null) {
                sb.append(" PARTITION OF ").append(parent.q()).append(' ').append(rel.bound);
            } else {
                if (rel.parent != 0) {
                    warnings.add(object + ": inherits from another table; recreated as a standalone table");
                }
                List<String> defs = new ArrayList<>();
                for (Column col : cols) {
                    StringBuilder d = new StringBuilder(ident(col.name)).append(' ').append(col.type);
                    if (col.collation != null) {
                        d.append(" COLLATE ").append(col.collation);
                    }
                    if (col.generated != null) {
                        d.append(" GENERATED ALWAYS AS (").append(col.def).append(") STORED");
                    } else if (col.identity != null) {
                        String[] parts = col.identity.split(":", 2);
                        d.append(" GENERATED ").append(parts[0]).append(" AS IDENTITY");
                        if (parts.length > 1) {
                            d.append(" (").append(parts[1]).append(')');
                        }
                    } else if (col.def != null) {
                        d.append(" DEFAULT ").append(col.def);
                    }
                    if (col.notNull) {
                        d.append(" NOT NULL");
                    }
                    defs.add(d.toString());
                }
                sb.append(" (").append(String.join(", ", defs)).append(')');
            }
            if (rel.partKey != null) {
                sb.append(" PARTITION BY ").append(rel.partKey);
            }
            if (rel.options != null && !rel.options.isEmpty()) {
                sb.append(" WITH (").append(rel.options).append(')');
            }
            add(Phase.TABLES, object, sb.toString());
            if (rel.bound != null && parent != null) {
                partitionColumnDifferences(rel, cols, columns.getOrDefault(parent.oid, List.of()));
            }
            if (rel.rowSecurity) {
                add(Phase.CONSTRAINTS, object, "ALTER TABLE " + rel.q() + " ENABLE ROW LEVEL SECURITY");
            }
            if (rel.forceRowSecurity) {
                add(Phase.CONSTRAINTS, object, "ALTER TABLE " + rel.q() + " FORCE ROW LEVEL SECURITY");
            }
            comment("TABLE " + rel.q(), object, rel.comment);
            for (Column col : cols) {
                comment("COLUMN " + rel.q() + "." + ident(col.name), object + "." + col.name, col.comment);
            }
            if (rel.kind.equals("r")) {
                List<String> copyColumns = cols.stream().filter(col -> col.generated == null).map(Column::name)
                        .toList();
                tables.add(new TableInfo(rel.oid, rel.schema, rel.name, copyColumns, rel.size));
            }
        }
        return tables;
    }

    /** A partition takes its parent's columns; defaults it sets itself are added back. */
    private void partitionColumnDifferences(Rel rel, List<Column> cols, List<Column> parentCols) {
        Map<String, Column> byName = new HashMap<>();
        parentCols.forEach(p -> byName.put(p.name, p));
        for (Column col : cols) {
            Column p = byName.get(col.name);
            if (p != null && col.def != null && col.generated == null && !col.def.equals(p.def)) {
                add(Phase.TABLES, "table " + rel.schema + "." + rel.name, "ALTER TABLE " + rel.q()
                        + " ALTER COLUMN " + ident(col.name) + " SET DEFAULT " + col.def);
            }
        }
    }

    /** Parents before their partitions. */
    private static List<Rel> ordered(Map<Long, Rel> rels) {
        List<Rel> out = new ArrayList<>();
        Map<Long, Boolean> done = new HashMap<>();
        for (Rel rel : rels.values()) {
            visit(rel, rels, done, out);
        }
        return out;
    }

    private static void visit(Rel rel, Map<Long, Rel> rels, Map<Long, Boolean> done, List<Rel> out) {
        if (done.putIfAbsent(rel.oid, true) != null) {
            return;
        }
        Rel parent = rels.get(rel.parent);
        if (parent != null) {
            visit(parent, rels, done, out);
        }
        out.add(rel);
    }

    private void constraints() throws SQLException {
        query("SELECT n.nspname, c.relname, co.conname, co.contype, pg_get_constraintdef(co.oid),"
                + " obj_description(co.oid, 'pg_constraint')"
                + " FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE co.contype IN ('p', 'u', 'c', 'x', 'f') AND co.conparentid = 0"
                + " AND (co.contype <> 'c' OR co.conislocal) AND c.relkind IN ('r', 'p') AND " + USER_NS
                + " ORDER BY CASE co.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3"
                + " ELSE 4 END, n.nspname, c.relname, co.conname", r -> {
            String table = qualified(r.getString(1), r.getString(2));
            String object = "constraint " + r.getString(3) + " on " + r.getString(1) + "." + r.getString(2);
            add(r.getString(4).equals("f") ? Phase.FOREIGN_KEYS : Phase.CONSTRAINTS, object,
                    "ALTER TABLE " + table + " ADD CONSTRAINT " + ident(r.getString(3)) + " " + r.getString(5));
            comment("CONSTRAINT " + ident(r.getString(3)) + " ON " + table, object, r.getString(6));
        });
    }

    private void indexes() throws SQLException {
        query("SELECT n.nspname, ic.relname, pg_get_indexdef(i.indexrelid), c.relkind,"
                + " obj_description(ic.oid, 'pg_class'), i.indisclustered, c.relname"
                + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition AND " + USER_NS
                + " AND " + notExtension("pg_class", "ic.oid")
                + " AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid"
                + "  AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))"
                + " ORDER BY n.nspname, ic.relname", r -> {
            String object = "index " + r.getString(1) + "." + r.getString(2);
            // Indexes of materialized views are built right after the view exists.
            Phase phase = r.getString(4).equals("m") ? Phase.VIEWS : Phase.INDEXES;
            String def = r.getString(3);
            if (r.getString(4).equals("p")) {
                // On a partitioned table the index is built on every partition, as it was originally.
                def = def.replaceFirst(" ON ONLY ", " ON ");
            }
            deferredIndexes.add(new Ddl(phase, object, def));
            if (r.getBoolean(6)) {
                deferredIndexes.add(new Ddl(phase, object, "ALTER TABLE " + qualified(r.getString(1), r.getString(7))
                        + " CLUSTER ON " + ident(r.getString(2))));
            }
            if (r.getString(5) != null) {
                deferredIndexes.add(new Ddl(Phase.COMMENTS, object, "COMMENT ON INDEX "
                        + qualified(r.getString(1), r.getString(2)) + " IS " + literal(r.getString(5))));
            }
        });
        for (Ddl d : deferredIndexes) {
            if (d.phase() != Phase.VIEWS) {
                ddl.add(d);
            }
        }
    }

    private final List<Ddl> deferredIndexes = new ArrayList<>();

    private void views() throws SQLException {
        query("SELECT n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid), c.relispopulated,"
                + " array_to_string(c.reloptions, ', '), obj_description(c.oid, 'pg_class')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('v', 'm') AND " + USER_NS + " AND " + notExtension("pg_class", "c.oid")
                + " ORDER BY n.nspname, c.relname", r -> {
            String q = qualified(r.getString(1), r.getString(2));
            String def = r.getString(4).strip();
            if (def.endsWith(";")) {
                def = def.substring(0, def.length() - 1);
            }
            String options = r.getString(6) == null || r.getString(6).isEmpty() ? "" : " WITH (" + r.getString(6) + ")";
            boolean matview = r.getString(3).equals("m");
            String object = (matview ? "materialized view " : "view ") + r.getString(1) + "." + r.getString(2);
            if (matview) {
                add(Phase.VIEWS, object, "CREATE MATERIALIZED VIEW " + q + options + " AS " + def + " WITH NO DATA");
                if (r.getBoolean(5)) {
                    add(Phase.REFRESH, object, "REFRESH MATERIALIZED VIEW " + q);
                }
            } else {
                add(Phase.VIEWS, object, "CREATE VIEW " + q + options + " AS " + def);
            }
            comment((matview ? "MATERIALIZED VIEW " : "VIEW ") + q, object, r.getString(7));
        });
        for (Ddl d : deferredIndexes) {
            if (d.phase() == Phase.VIEWS) {
                ddl.add(d);
            }
        }
    }

    private void triggers() throws SQLException {
        String notCloned = serverVersion >= 130000 ? " AND t.tgparentid = 0" : "";
        query("SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid, false), t.tgenabled,"
                + " obj_description(t.oid, 'pg_trigger')"
                + " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE NOT t.tgisinternal" + notCloned + " AND " + USER_NS
                + " ORDER BY n.nspname, c.relname, t.tgname", r -> {
            String table = qualified(r.getString(1), r.getString(2));
            String object = "trigger " + r.getString(3) + " on " + r.getString(1) + "." + r.getString(2);
            add(Phase.TRIGGERS, object, r.getString(4));
            String enabled = switch (r.getString(5)) {
                case "D" -> "DISABLE TRIGGER ";
                case "R" -> "ENABLE REPLICA TRIGGER ";
                case "A" -> "ENABLE ALWAYS TRIGGER ";
                default -> null;
            };
            if (enabled != null) {
                add(Phase.TRIGGERS, object, "ALTER TABLE " + table + " " + enabled + ident(r.getString(3)));
            }
            comment("TRIGGER " + ident(r.getString(3)) + " ON " + table, object, r.getString(6));
        });
    }

    private void rules() throws SQLException {
        query("SELECT n.nspname, c.relname, r.rulename, pg_get_ruledef(r.oid)"
                + " FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE r.rulename <> '_RETURN' AND " + USER_NS + " ORDER BY n.nspname, c.relname, r.rulename",
                r -> add(Phase.TRIGGERS, "rule " + r.getString(3) + " on " + r.getString(1) + "." + r.getString(2),
                        r.getString(4).strip()));
    }

    private void policies() throws SQLException {
        query("SELECT n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive,"
                + " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),"
                + " ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END"
                + "  FROM unnest(p.polroles) r)"
                + " FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE " + USER_NS + " ORDER BY n.nspname, c.relname, p.polname", r -> {
            String cmd = switch (r.getString(4)) {
                case "r" -> "SELECT";
                case "a" -> "INSERT";
                case "w" -> "UPDATE";
                case "d" -> "DELETE";
                default -> "ALL";
            };
            String[] roles = (String[]) r.getArray(8).getArray();
            StringBuilder sb = new StringBuilder("CREATE POLICY " + ident(r.getString(3)) + " ON "
                    + qualified(r.getString(1), r.getString(2)) + " AS "
                    + (r.getBoolean(5) ? "PERMISSIVE" : "RESTRICTIVE") + " FOR " + cmd + " TO "
                    + String.join(", ", roles));
            if (r.getString(6) != null) {
                sb.append(" USING (").append(r.getString(6)).append(')');
            }
            if (r.getString(7) != null) {
                sb.append(" WITH CHECK (").append(r.getString(7)).append(')');
            }
            add(Phase.TRIGGERS, "policy " + r.getString(3) + " on " + r.getString(1) + "." + r.getString(2),
                    sb.toString());
        });
    }

    /** Objects the built-in reader does not recreate: named, never silently dropped. */
    private void unsupported() throws SQLException {
        query("SELECT 'foreign table ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE c.relkind = 'f' AND " + USER_NS, this::warnUnsupported);
        query("SELECT 'operator ' || n.nspname || '.' || o.oprname FROM pg_operator o JOIN pg_namespace n"
                + " ON n.oid = o.oprnamespace WHERE " + USER_NS + " AND " + notExtension("pg_operator", "o.oid"),
                this::warnUnsupported);
        query("SELECT 'collation ' || n.nspname || '.' || co.collname FROM pg_collation co JOIN pg_namespace n"
                + " ON n.oid = co.collnamespace WHERE " + USER_NS + " AND " + notExtension("pg_collation", "co.oid"),
                this::warnUnsupported);
        query("SELECT 'statistics object ' || n.nspname || '.' || s.stxname FROM pg_statistic_ext s"
                + " JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE " + USER_NS, this::warnUnsupported);
        query("SELECT 'text search configuration ' || n.nspname || '.' || t.cfgname FROM pg_ts_config t"
                + " JOIN pg_namespace n ON n.oid = t.cfgnamespace WHERE " + USER_NS + " AND "
                + notExtension("pg_ts_config", "t.oid"), this::warnUnsupported);
        query("SELECT 'event trigger ' || evtname FROM pg_event_trigger e WHERE "
                + notExtension("pg_event_trigger", "e.oid"), this::warnUnsupported);
        query("SELECT 'publication ' || pubname FROM pg_publication", this::warnUnsupported);
        query("SELECT count(*) || ' large object(s)' FROM pg_largeobject_metadata HAVING count(*) > 0",
                this::warnUnsupported);
    }

    private void warnUnsupported(ResultSet r) throws SQLException {
        warnings.add(r.getString(1) + ": not recreated by the built-in schema reader");
    }

    interface RowFn {
        void accept(ResultSet r) throws SQLException;
    }

    private void query(String sql, RowFn fn, Object... params) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    fn.accept(r);
                }
            }
        }
    }

    private List<String> strings(String sql, Object... params) throws SQLException {
        List<String> out = new ArrayList<>();
        query(sql, r -> out.add(r.getString(1)), params);
        return out;
    }

    private String one(String sql) throws SQLException {
        List<String> l = strings(sql);
        return l.isEmpty() ? null : l.get(0);
    }
}
