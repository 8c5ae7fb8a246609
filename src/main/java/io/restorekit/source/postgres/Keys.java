package io.restorekit.source.postgres;

import io.restorekit.source.postgres.DatabaseManifest.ForeignKey;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The primary and foreign keys of a database, read from the catalog in the backup's snapshot:
 * they decide which rows belong to a tenant and in which order a scoped restore applies.
 */
record Keys(Map<String, List<String>> primaryKeys, List<ForeignKey> foreignKeys) {
    private static final String USER_NS = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";
    private static final String COLUMNS = "ARRAY(SELECT a.attname FROM unnest(%s) WITH ORDINALITY k(att, ord)"
            + " JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.att ORDER BY k.ord)::text[]";

    static Keys read(Connection c) throws SQLException {
        Map<String, List<String>> primary = new HashMap<>();
        List<ForeignKey> foreign = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet r = st.executeQuery("SELECT n.nspname, c.relname, " + COLUMNS.formatted("co.conkey",
                    "co.conrelid") + " FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE co.contype = 'p' AND " + USER_NS)) {
                while (r.next()) {
                    primary.put(r.getString(1) + "." + r.getString(2), strings(r.getArray(3)));
                }
            }
            try (ResultSet r = st.executeQuery("SELECT co.conname, n.nspname, c.relname, rn.nspname, rc.relname, "
                    + COLUMNS.formatted("co.conkey", "co.conrelid") + ", "
                    + COLUMNS.formatted("co.confkey", "co.confrelid")
                    + " FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class rc ON rc.oid = co.confrelid"
                    + " JOIN pg_namespace rn ON rn.oid = rc.relnamespace"
                    + " WHERE co.contype = 'f' AND " + USER_NS + " ORDER BY n.nspname, c.relname, co.conname")) {
                while (r.next()) {
                    foreign.add(new ForeignKey(r.getString(1), r.getString(2) + "." + r.getString(3),
                            strings(r.getArray(6)), r.getString(4) + "." + r.getString(5), strings(r.getArray(7))));
                }
            }
        }
        return new Keys(Map.copyOf(primary), List.copyOf(foreign));
    }

    private static List<String> strings(Array array) throws SQLException {
        return List.copyOf(Arrays.asList((String[]) array.getArray()));
    }
}
