package io.restorekit.source.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Facts about a database's schema, read with queries independent of {@link SchemaReader}, so
 * that two databases can be compared object by object.
 */
public final class CatalogFacts {
    private static final String USER_NS = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

    private static final Map<String, String> QUERIES = new TreeMap<>(Map.ofEntries(
            Map.entry("schemas", "SELECT nspname, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE " + USER_NS),
            Map.entry("extensions", "SELECT extname FROM pg_extension"),
            Map.entry("columns", "SELECT table_schema, table_name, column_name, ordinal_position, data_type, udt_schema,"
                    + " udt_name, is_nullable, column_default, is_identity, identity_generation, identity_start,"
                    + " identity_increment, is_generated, generation_expression, collation_name, character_maximum_length,"
                    + " numeric_precision, numeric_scale FROM information_schema.columns"
                    + " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"),
            Map.entry("relations", "SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition,"
                    + " pg_get_expr(c.relpartbound, c.oid), CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,"
                    + " c.reloptions, c.relrowsecurity, c.relforcerowsecurity, obj_description(c.oid, 'pg_class'),"
                    + " c.relhastriggers, c.relhasrules FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_NS),
            Map.entry("constraints", "SELECT n.nspname, conrelid::regclass::text, contypid::regtype::text, conname, contype,"
                    + " pg_get_constraintdef(co.oid), condeferrable, condeferred, convalidated, conislocal, coninhcount,"
                    + " obj_description(co.oid, 'pg_constraint') FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE " + USER_NS),
            Map.entry("indexes", "SELECT schemaname, tablename, indexname, indexdef, obj_description((quote_ident(schemaname) || '.' || quote_ident(indexname))::regclass, 'pg_class') FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"),
            Map.entry("views", "SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"),
            Map.entry("matviews", "SELECT schemaname, matviewname, definition, ispopulated FROM pg_matviews"),
            Map.entry("functions", "SELECT n.nspname, p.proname, p.prokind, pg_get_function_identity_arguments(p.oid),"
                    + " pg_get_functiondef(p.oid), obj_description(p.oid, 'pg_proc') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE " + USER_NS + " AND n.nspname <> 'public'"),
            Map.entry("triggers", "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(t.oid), tgenabled,"
                    + " obj_description(t.oid, 'pg_trigger') FROM pg_trigger t WHERE NOT tgisinternal"),
            Map.entry("sequences", "SELECT schemaname, sequencename, data_type, start_value, min_value, max_value,"
                    + " increment_by, cycle, cache_size, last_value FROM pg_sequences"),
            Map.entry("sequence_owners", "SELECT d.objid::regclass::text, d.refobjid::regclass::text, d.refobjsubid, d.deptype"
                    + " FROM pg_depend d JOIN pg_class c ON c.oid = d.objid WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass"
                    + " AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"),
            Map.entry("types", "SELECT n.nspname, t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod), t.typnotnull,"
                    + " t.typdefault, obj_description(t.oid, 'pg_type'), (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder)"
                    + " FROM pg_enum WHERE enumtypid = t.oid) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " + USER_NS),
            Map.entry("column_comments", "SELECT c.relname, a.attname, col_description(c.oid, a.attnum) FROM pg_class c"
                    + " JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL AND " + USER_NS),
            Map.entry("policies", "SELECT schemaname, tablename, policyname, permissive, roles, cmd, qual, with_check FROM pg_policies"),
            Map.entry("rules", "SELECT schemaname, tablename, rulename, definition FROM pg_rules WHERE schemaname NOT IN ('pg_catalog')")));

    private CatalogFacts() {
    }

    /** Every fact, by kind, each kind's rows sorted. */
    public static Map<String, List<String>> of(Connection c) throws SQLException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path = pg_catalog");
            for (Map.Entry<String, String> q : QUERIES.entrySet()) {
                List<String> rows = new ArrayList<>();
                try (ResultSet r = st.executeQuery(q.getValue())) {
                    ResultSetMetaData md = r.getMetaData();
                    while (r.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            sb.append(i == 1 ? "" : " | ").append(r.getString(i));
                        }
                        rows.add(sb.toString());
                    }
                }
                rows.sort(null);
                out.put(q.getKey(), rows);
            }
        }
        return out;
    }
}
