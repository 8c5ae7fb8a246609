package io.restorekit.source.mysql;

import io.restorekit.source.DatabaseSpec;

import java.time.Duration;
import java.util.List;

/**
 * A MySQL 8 or MariaDB 10.6+ database to back up.
 *
 * @param url           {@code jdbc:mariadb://host[:port]/database} or {@code jdbc:mysql://...}
 * @param username      the user to connect as; null to take it from the URL
 * @param passwordEnv   environment variable that held the password (named in messages); may be null
 * @param password      the password read from {@code passwordEnv}; null when none is configured or set
 * @param tenantColumn  rows are counted and grouped per value of this column in tables that have it
 * @param includeTables only these tables; empty for all
 * @param excludeTables tables left out (their schema is kept, their rows are not)
 * @param jobs          1: one connection, one consistent snapshot (the default); more: that many
 *                      connections whose snapshots start together under a brief
 *                      {@code FLUSH TABLES WITH READ LOCK}
 * @param tenantTable   the table whose one-column primary key is the tenant id; null when there is none
 * @param binlog        whether tables the server's binary log shows unchanged since the previous
 *                      snapshot are taken from it instead of read again (where the log can tell:
 *                      {@link BinaryLog})
 * @param fullReadEvery the longest a table goes without being read: a backup this long after the
 *                      last that read every table reads every table
 */
public record MySqlSourceSpec(String name, String url, String username, String passwordEnv, String password,
                              String tenantColumn, List<String> includeTables, List<String> excludeTables, int jobs,
                              String tenantTable, boolean binlog, Duration fullReadEvery) implements DatabaseSpec {
    /** The default of {@link #fullReadEvery}. */
    public static final Duration FULL_READ_EVERY = Duration.ofHours(24);

    public MySqlSourceSpec {
        includeTables = includeTables == null ? List.of() : List.copyOf(includeTables);
        excludeTables = excludeTables == null ? List.of() : List.copyOf(excludeTables);
        tenantColumn = tenantColumn == null ? "tenant_id" : tenantColumn;
        jobs = Math.max(1, jobs);
        fullReadEvery = fullReadEvery == null ? FULL_READ_EVERY : fullReadEvery;
    }

    public MySqlSourceSpec(String name, String url, String username, String passwordEnv, String password,
                           String tenantColumn, List<String> includeTables, List<String> excludeTables, int jobs,
                           String tenantTable) {
        this(name, url, username, passwordEnv, password, tenantColumn, includeTables, excludeTables, jobs, tenantTable,
                true, FULL_READ_EVERY);
    }

    /** This spec with the binary log used or not, and every table read at least every {@code fullReadEvery}. */
    public MySqlSourceSpec withBinlog(boolean use, Duration fullReadEvery) {
        return new MySqlSourceSpec(name, url, username, passwordEnv, password, tenantColumn, includeTables,
                excludeTables, jobs, tenantTable, use, fullReadEvery);
    }

    /** A spec with defaults: every table, tenant column {@code tenant_id}, one connection. */
    public static MySqlSourceSpec of(String name, String url, String username, String password) {
        return new MySqlSourceSpec(name, url, username, null, password, null, List.of(), List.of(), 1, null);
    }

    @Override
    public String type() {
        return "mysql";
    }

    @Override
    public String toString() {
        return "MySqlSourceSpec[name=" + name + ", url=" + url + ", username=" + username + ", password="
                + (password == null ? "none" : "***") + ", jobs=" + jobs + ", binlog=" + binlog + ", fullReadEvery="
                + fullReadEvery + "]";
    }
}
