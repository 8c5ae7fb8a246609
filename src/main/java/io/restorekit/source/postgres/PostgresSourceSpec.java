package io.restorekit.source.postgres;

import io.restorekit.source.DatabaseSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * A PostgreSQL database to back up.
 *
 * @param url           {@code jdbc:postgresql://host[:port]/database}
 * @param username      the role to connect as; null to take it from the URL or the driver's default
 * @param passwordEnv   environment variable that held the password (named in messages); may be null
 * @param password      the password read from {@code passwordEnv}; null when none is configured or set
 * @param tenantColumn  rows are counted per value of this column in tables that have it
 * @param includeTables only these tables ({@code name} or {@code schema.name}); empty for all
 * @param excludeTables tables left out ({@code name} or {@code schema.name})
 * @param jobs          parallel worker connections dumping tables
 * @param schemaMode    {@code auto}, {@code builtin} or {@code pg_dump}; only the built-in catalog
 *                      reader exists, so {@code auto} means {@code builtin}
 * @param tenantTable   the table whose one-column primary key is the tenant id ({@code name} or
 *                      {@code schema.name}, e.g. {@code companies}); null when there is none
 * @param deltaCache    folder of the local caches that let a backup store only the rows changed
 *                      since a table's base stream ({@code RK_HOME/cache}); null to always store
 *                      whole tables
 * @param analyze       a whole-database restore ends with {@code ANALYZE} of every table; otherwise
 *                      autovacuum gathers the planner statistics later, as after {@code pg_restore}
 */
public record PostgresSourceSpec(String name, String url, String username, String passwordEnv, String password,
                                 String tenantColumn, List<String> includeTables, List<String> excludeTables,
                                 int jobs, String schemaMode, String tenantTable, Path deltaCache,
                                 boolean analyze)
        implements DatabaseSpec {
    public PostgresSourceSpec {
        includeTables = includeTables == null ? List.of() : List.copyOf(includeTables);
        excludeTables = excludeTables == null ? List.of() : List.copyOf(excludeTables);
        tenantColumn = tenantColumn == null ? "tenant_id" : tenantColumn;
        jobs = Math.max(1, jobs);
        schemaMode = schemaMode == null ? "auto" : schemaMode;
    }

    public PostgresSourceSpec(String name, String url, String username, String passwordEnv, String password,
                              String tenantColumn, List<String> includeTables, List<String> excludeTables, int jobs,
                              String schemaMode, String tenantTable) {
        this(name, url, username, passwordEnv, password, tenantColumn, includeTables, excludeTables, jobs, schemaMode,
                tenantTable, null, false);
    }

    /** The same source with row deltas kept in {@code cache} (see {@code deltaCache}). */
    public PostgresSourceSpec withDeltaCache(Path cache) {
        return new PostgresSourceSpec(name, url, username, passwordEnv, password, tenantColumn, includeTables,
                excludeTables, jobs, schemaMode, tenantTable, cache, analyze);
    }

    /** The same source with (or without) {@code ANALYZE} at the end of a whole-database restore. */
    public PostgresSourceSpec withAnalyze(boolean analyze) {
        return new PostgresSourceSpec(name, url, username, passwordEnv, password, tenantColumn, includeTables,
                excludeTables, jobs, schemaMode, tenantTable, deltaCache, analyze);
    }

    public PostgresSourceSpec(String name, String url, String username, String passwordEnv, String password,
                              String tenantColumn, List<String> includeTables, List<String> excludeTables, int jobs,
                              String schemaMode) {
        this(name, url, username, passwordEnv, password, tenantColumn, includeTables, excludeTables, jobs, schemaMode,
                null);
    }

    /** A spec with defaults: every table, tenant column {@code tenant_id}, two jobs. */
    public static PostgresSourceSpec of(String name, String url, String username, String password) {
        return new PostgresSourceSpec(name, url, username, null, password, null, List.of(), List.of(), 2, null);
    }

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public String toString() {
        return "PostgresSourceSpec[name=" + name + ", url=" + url + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", jobs=" + jobs + "]";
    }
}
