package io.restorekit.restore;

import io.restorekit.source.DatabaseSpec;

import java.time.Instant;
import java.util.List;

/**
 * A tenant and/or module restore of a database source
 * ({@code rk restore --source db --tenant 42 --module billing --in-place | --target JDBC-URL}).
 *
 * @param source         the database source (PostgreSQL or MySQL); its connection serves {@code inPlace}
 * @param snapshot       a snapshot id or unique prefix; null for the newest at or before {@code at}
 * @param tenant         the tenant id; null for every tenant
 * @param module         the module's name; null for no module
 * @param moduleTables   the module's tables as configured; null when no module is given
 * @param target         another database ({@code jdbc:postgresql://...}, {@code jdbc:mariadb://...}); null when {@code inPlace}
 * @param targetUsername the role for {@code target}; null for the URL's or the driver's default
 * @param targetPassword its password, or null
 * @param inPlace        apply to the source database itself, in one transaction
 * @param dryRun         plan only: compare with the database, change nothing
 * @param overwrite      replace tables of the scope that {@code target} already holds ({@code --yes})
 */
public record ScopedRestoreRequest(DatabaseSpec source, String snapshot, Instant at, String tenant,
                                   String module, List<String> moduleTables, String target, String targetUsername,
                                   String targetPassword, boolean inPlace, boolean dryRun, boolean overwrite) {
    public ScopedRestoreRequest {
        moduleTables = moduleTables == null ? null : List.copyOf(moduleTables);
    }

    @Override
    public String toString() {
        return "ScopedRestoreRequest[source=" + source.name() + ", tenant=" + tenant + ", module=" + module
                + ", target=" + (inPlace ? "in place" : target) + ", dryRun=" + dryRun + "]";
    }
}
