package io.restorekit.source.mysql;

import io.restorekit.source.postgres.DatabaseManifest.ForeignKey;
import io.restorekit.source.postgres.TenantJoin;

import java.util.List;

import static io.restorekit.source.mysql.MySqlConnect.ident;
import static io.restorekit.source.mysql.MySqlConnect.literal;

/**
 * The MySQL SQL of a {@link TenantJoin}: a table's rows with their tenant, and one tenant's rows.
 * Backup and restore render the same SQL, so they agree on which rows belong to whom. Tables are
 * named without their database: the connection's database is the one meant.
 */
final class JoinSql {
    private final TenantJoin join;
    private final String source;

    JoinSql(TenantJoin join) {
        this(join, table(join.table()));
    }

    /** @param source the joined table as the FROM clause names it (e.g. with every row version) */
    JoinSql(TenantJoin join, String source) {
        this.join = join;
        this.source = source;
    }

    static String table(String qualified) {
        return ident(qualified.substring(qualified.indexOf('.') + 1));
    }

    String from() {
        StringBuilder sb = new StringBuilder(" FROM ").append(source).append(" t0");
        List<ForeignKey> via = join.via();
        for (int i = 0; i < via.size(); i++) {
            ForeignKey fk = via.get(i);
            sb.append(" LEFT JOIN ").append(table(fk.references())).append(" t").append(i + 1).append(" ON ");
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

    String tenantExpression() {
        return "t" + join.via().size() + "." + ident(join.key());
    }

    /** The columns, then the tenant; in the table's own order (rows are grouped by tenant on the client). */
    String dumpQuery(List<Column> columns, Column tenant) {
        return dumpQuery(columns, tenant, false);
    }

    /** @param raw see {@link Column#read(String, boolean)} */
    String dumpQuery(List<Column> columns, Column tenant, boolean raw) {
        return "SELECT " + Column.readList(columns, "t0", raw) + ", " + tenant.read("t" + join.via().size(), raw)
                + from();
    }

    String tenantQuery(List<Column> columns, String tenant) {
        return "SELECT " + Column.readList(columns, "t0") + from() + " WHERE " + tenantCondition(tenant);
    }

    String tenantCondition(String tenant) {
        return tenantExpression() + " = " + literal(tenant);
    }

    static String selectList(List<String> columns) {
        return String.join(", ", columns.stream().map(c -> "t0." + ident(c)).toList());
    }
}
