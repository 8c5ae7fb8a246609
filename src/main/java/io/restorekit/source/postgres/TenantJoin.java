package io.restorekit.source.postgres;

import io.restorekit.source.postgres.DatabaseManifest.ForeignKey;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.restorekit.source.postgres.PgConnect.ident;
import static io.restorekit.source.postgres.PgConnect.literal;

/**
 * How a table's rows find their tenant: directly in the tenant column, as the key of the tenant
 * table, or through a chain of foreign keys to a table that has one of those
 * ({@code invoice_items -> invoices.tenant_id}). Renders the SQL that lists a table's rows with
 * their tenant, and the rows of one tenant; backup and restore use the same SQL, so they agree on
 * which rows belong to whom. The MySQL source resolves its joins here too and renders its own SQL.
 *
 * @param table qualified {@code schema.name} ("{@code t0}" in the SQL)
 * @param via   foreign keys followed from {@code table}, in order ("{@code t1}", "{@code t2}", ...)
 * @param key   the column of the last table holding the tenant id
 */
public record TenantJoin(String table, List<ForeignKey> via, String key) {
    /** How far foreign keys are followed to find a tenant. */
    static final int MAX_HOPS = 4;

    public TenantJoin {
        via = List.copyOf(via);
    }

    /**
     * Finds how every table reaches a tenant; tables that cannot are absent.
     *
     * @param columns     the columns of every dumped table, by {@code schema.name}
     * @param primaryKeys by {@code schema.name}
     * @param tenantTable {@code schema.name} of the tenant table, or null
     */
    public static Map<String, TenantJoin> resolve(Map<String, List<String>> columns, Map<String, List<String>> primaryKeys,
                                           List<ForeignKey> foreignKeys, String tenantColumn, String tenantTable) {
        Function<String, String> ownKey = t -> {
            List<String> cols = columns.get(t);
            if (cols != null && cols.contains(tenantColumn)) {
                return tenantColumn;
            }
            List<String> pk = primaryKeys.get(t);
            if (t.equals(tenantTable) && pk != null && pk.size() == 1) {
                return pk.get(0);
            }
            return null;
        };
        Map<String, TenantJoin> out = new HashMap<>();
        for (String t : columns.keySet()) {
            String key = ownKey.apply(t);
            if (key != null) {
                out.put(t, new TenantJoin(t, List.of(), key));
                continue;
            }
            // Breadth first: the shortest chain of foreign keys to a table that names the tenant.
            Deque<List<ForeignKey>> paths = new ArrayDeque<>();
            paths.add(List.of());
            TenantJoin found = null;
            while (!paths.isEmpty() && found == null) {
                List<ForeignKey> path = paths.poll();
                String at = path.isEmpty() ? t : path.get(path.size() - 1).references();
                for (ForeignKey fk : foreignKeys) {
                    if (!fk.table().equals(at) || visits(path, t, fk.references())) {
                        continue;
                    }
                    List<ForeignKey> longer = new ArrayList<>(path);
                    longer.add(fk);
                    String reached = ownKey.apply(fk.references());
                    if (reached != null && columns.containsKey(fk.references())) {
                        found = new TenantJoin(t, longer, reached);
                        break;
                    }
                    if (longer.size() < MAX_HOPS) {
                        paths.add(longer);
                    }
                }
            }
            if (found != null) {
                out.put(t, found);
            }
        }
        return out;
    }

    private static boolean visits(List<ForeignKey> path, String start, String table) {
        return table.equals(start) || path.stream().anyMatch(fk -> fk.references().equals(table));
    }

    /** Rebuilds the join a manifest recorded for {@code t}; null when the stream is not grouped. */
    public static TenantJoin of(DatabaseManifest manifest, DatabaseManifest.Table t) {
        if (!t.groupedByTenant() || manifest.foreignKeys() == null) {
            return null;
        }
        List<ForeignKey> via = new ArrayList<>();
        String at = t.qualifiedName();
        for (String name : t.tenantVia()) {
            String from = at;
            ForeignKey fk = manifest.foreignKeys().stream()
                    .filter(f -> f.table().equals(from) && f.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the manifest names foreign key '" + name
                            + "' of '" + from + "' but does not record it"));
            via.add(fk);
            at = fk.references();
        }
        return new TenantJoin(t.qualifiedName(), via, t.tenantKey());
    }

    public List<String> viaNames() {
        return via.stream().map(ForeignKey::name).toList();
    }

    /** {@code FROM ONLY t t0 LEFT JOIN ONLY p t1 ON ...}: at most one parent row per hop (a foreign key references a unique key). */
    String from() {
        StringBuilder sb = new StringBuilder(" FROM ONLY ").append(quoted(table)).append(" t0");
        for (int i = 0; i < via.size(); i++) {
            ForeignKey fk = via.get(i);
            sb.append(" LEFT JOIN ONLY ").append(quoted(fk.references())).append(" t").append(i + 1).append(" ON ");
            for (int k = 0; k < fk.columns().size(); k++) {
                if (k > 0) {
                    sb.append(" AND ");
                }
                sb.append('t').append(i + 1).append('.').append(ident(fk.referencedColumns().get(k)))
                        .append(" = t").append(i).append('.').append(ident(fk.columns().get(k)));
            }
        }
        return sb.toString();
    }

    /** The tenant of a row, as SQL over {@link #from()}. */
    String tenantExpression() {
        return "t" + via.size() + "." + ident(key);
    }

    /**
     * The table's columns, then its tenant: what a grouped backup dumps. No ORDER BY: the server
     * scans the table sequentially (a sort or an index scan in tenant order costs it several times
     * more) and the backup groups the rows by tenant as they arrive ({@link TenantChunks}).
     */
    String dumpQuery(List<String> columns) {
        return "SELECT " + selectList(columns) + ", " + tenantExpression() + from();
    }

    /** The rows of one tenant. */
    String tenantQuery(List<String> columns, String tenant) {
        return "SELECT " + selectList(columns) + from() + " WHERE " + tenantCondition(tenant);
    }

    /** The {@code ctid}s of one tenant's rows (for tables without a primary key). */
    String tenantRowIds(String tenant) {
        return "SELECT t0.ctid" + from() + " WHERE " + tenantCondition(tenant);
    }

    private String tenantCondition(String tenant) {
        // An untyped literal takes the column's type, so an index on the tenant column serves.
        return tenantExpression() + " = " + literal(tenant);
    }

    static String selectList(List<String> columns) {
        return String.join(", ", columns.stream().map(c -> "t0." + ident(c)).toList());
    }

    static String quoted(String qualified) {
        int dot = qualified.indexOf('.');
        return PgConnect.qualified(qualified.substring(0, dot), qualified.substring(dot + 1));
    }
}
