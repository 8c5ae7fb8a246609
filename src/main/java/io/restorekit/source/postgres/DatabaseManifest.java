package io.restorekit.source.postgres;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;

import java.io.IOException;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a database snapshot holds, stored as one tree blob named by {@code Snapshot.tree}
 * (docs/repository-format.md §8): the schema as ordered DDL, and per table its COPY text stream
 * as a chunk list with the counts and digest that prove a restore equal.
 *
 * @param server            the server's {@code server_version}
 * @param schemaFingerprint SHA-256 over the DDL (sequence values and refreshes left out): equal
 *                          fingerprints mean equal schemas
 * @param schema            DDL in restore order
 * @param tables            tables whose data was dumped, largest first
 * @param warnings          objects the schema reader could not recreate
 * @param tenantTable       {@code schema.name} of the table whose key is the tenant id; null when not configured
 * @param foreignKeys       every foreign key of the dumped tables; null in manifests written before
 *                          tenant-grouped streams (those support whole restores only)
 * @param binlog            where a MariaDB snapshot stands in the server's binary log, and which
 *                          tables it took unchanged from the previous snapshot; null when the log
 *                          cannot say what changed (and for PostgreSQL)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatabaseManifest(int version, String server, String database, String tenantColumn,
                               String schemaFingerprint, List<Ddl> schema, List<Table> tables,
                               List<String> warnings, String tenantTable, List<ForeignKey> foreignKeys,
                               Binlog binlog) {
    public static final int VERSION = 1;

    /** The snapshot kind of database snapshots made by this package. */
    public static final String KIND = "postgres";

    /** The snapshot kind of MySQL and MariaDB snapshots ({@code io.restorekit.source.mysql}), same manifest. */
    public static final String MYSQL_KIND = "mysql";

    /** Whether snapshots of {@code kind} name a database manifest in their {@code tree}. */
    public static boolean isDatabase(String kind) {
        return KIND.equals(kind) || MYSQL_KIND.equals(kind);
    }

    /** Reads the manifest a snapshot names in its {@code tree} field. */
    public static DatabaseManifest load(Repository repository, BlobId id) throws IOException {
        return Repository.objectMapper().readValue(repository.loadBlob(BlobType.TREE, id), DatabaseManifest.class);
    }

    public DatabaseManifest {
        schema = schema == null ? List.of() : List.copyOf(schema);
        tables = tables == null ? List.of() : List.copyOf(tables);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        foreignKeys = foreignKeys == null ? null : List.copyOf(foreignKeys);
    }

    public DatabaseManifest(int version, String server, String database, String tenantColumn,
                            String schemaFingerprint, List<Ddl> schema, List<Table> tables, List<String> warnings) {
        this(version, server, database, tenantColumn, schemaFingerprint, schema, tables, warnings, null, null, null);
    }

    public DatabaseManifest(int version, String server, String database, String tenantColumn,
                            String schemaFingerprint, List<Ddl> schema, List<Table> tables, List<String> warnings,
                            String tenantTable, List<ForeignKey> foreignKeys) {
        this(version, server, database, tenantColumn, schemaFingerprint, schema, tables, warnings, tenantTable,
                foreignKeys, null);
    }

    /**
     * Where a snapshot stands in a MariaDB server's binary log (row format): the next backup reads
     * again only the tables the log shows changed since.
     *
     * @param server    the server's identity: {@code server_id@hostname:log base name}
     * @param file      the log file of the snapshot's moment
     * @param position  the snapshot's position in {@code file}
     * @param allRead   when every table was last read: this backup's start when it read them all,
     *                  else the time the snapshot it took tables from carries
     * @param unchanged the tables (names in {@code database}) taken unchanged from snapshot
     *                  {@code from} without reading them; empty when every table was read
     * @param from      the snapshot those tables were taken from; null when every table was read
     * @param readAll   why every table was read although a previous snapshot was there; null otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Binlog(String server, String file, long position, Instant allRead, List<String> unchanged,
                         String from, String readAll) {
        public Binlog {
            unchanged = unchanged == null ? List.of() : List.copyOf(unchanged);
        }

        /** The same position, with every table read for {@code why}. */
        public Binlog withReadAll(String why) {
            return new Binlog(server, file, position, allRead, List.of(), null, why);
        }
    }

    /** Whether the snapshot can serve tenant and module restores (foreign keys and tenant chunks recorded). */
    public boolean scoped() {
        return foreignKeys != null;
    }

    /**
     * A foreign key: {@code table(columns)} references {@code references(referencedColumns)}.
     *
     * @param table      {@code schema.name} of the referencing table
     * @param references {@code schema.name} of the referenced table
     */
    public record ForeignKey(String name, String table, List<String> columns, String references,
                             List<String> referencedColumns) {
        public ForeignKey {
            columns = List.copyOf(columns);
            referencedColumns = List.copyOf(referencedColumns);
        }
    }

    /**
     * One statement of the schema, in the phase that runs it.
     *
     * @param session session variables to set before running it (MySQL: the {@code sql_mode} and
     *                character set a trigger, routine or event was created with); null when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ddl(Phase phase, String object, String sql, Map<String, String> session) {
        public Ddl(Phase phase, String object, String sql) {
            this(phase, object, sql, null);
        }
    }

    /**
     * The dumped data of one table.
     *
     * @param columns    the COPY column list (generated columns are recomputed, not copied)
     * @param tenantRows rows per value of the tenant column; null when the table has none
     * @param digest     order-independent digest of the rows ({@link RowScanner})
     * @param bytes      length of the COPY text stream
     * @param addedBytes bytes of chunks that were new to the repository
     * @param chunks     the stream's data blobs, in order
     * @param primaryKey the primary key's columns; null when the table has none
     * @param tenantVia  how a row's tenant is found: the foreign keys (by name) followed from this
     *                   table to the one holding {@code tenantKey}; empty when this table holds it;
     *                   null when the stream is not grouped by tenant
     * @param tenantKey  the column holding the tenant id at the end of {@code tenantVia}
     * @param tenantChunks per tenant, {@code [first, end)} indexes into {@code chunks} of the chunks
     *                   holding exactly that tenant's rows (the stream is ordered by tenant and cut
     *                   at every change of tenant)
     * @param patchChunks  row delta: the rows inserted or updated since the base stream {@code chunks}
     *                     was written, as COPY text in stream order; null when {@code chunks} is the
     *                     whole table. Read tables through {@link TableData}, never {@code chunks} alone
     * @param patchTenantChunks per tenant, {@code [first, end)} indexes into {@code patchChunks}
     * @param supersededChunks  the key hashes ({@link RowKeys}) of base rows updated or deleted since
     *                     the base, as sorted 8-byte big-endian numbers split into blobs
     * @param patchRows    rows in the patch
     * @param supersededRows keys in {@code supersededChunks}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Table(String schema, String name, List<String> columns, long rows,
                        Map<String, Long> tenantRows, String digest, long bytes, long addedBytes,
                        List<BlobId> chunks, List<String> primaryKey, List<String> tenantVia, String tenantKey,
                        Map<String, List<Integer>> tenantChunks, List<BlobId> patchChunks,
                        Map<String, List<Integer>> patchTenantChunks, List<BlobId> supersededChunks,
                        Long patchRows, Long supersededRows) {
        public Table(String schema, String name, List<String> columns, long rows, Map<String, Long> tenantRows,
                     String digest, long bytes, long addedBytes, List<BlobId> chunks) {
            this(schema, name, columns, rows, tenantRows, digest, bytes, addedBytes, chunks, null, null, null, null);
        }

        public Table(String schema, String name, List<String> columns, long rows, Map<String, Long> tenantRows,
                     String digest, long bytes, long addedBytes, List<BlobId> chunks, List<String> primaryKey,
                     List<String> tenantVia, String tenantKey, Map<String, List<Integer>> tenantChunks) {
            this(schema, name, columns, rows, tenantRows, digest, bytes, addedBytes, chunks, primaryKey, tenantVia,
                    tenantKey, tenantChunks, null, null, null, null, null);
        }

        /**
         * The same table as read with other columns (e.g. without a MariaDB table's period), its
         * primary key those of its columns that remain (null when none does).
         */
        public Table withColumns(List<String> other) {
            List<String> key = primaryKey == null ? null : primaryKey.stream().filter(other::contains).toList();
            return new Table(schema, name, other, rows, tenantRows, digest, bytes, addedBytes, chunks,
                    key == null || key.isEmpty() ? null : key,
                    tenantVia, tenantKey, tenantChunks, patchChunks, patchTenantChunks, supersededChunks, patchRows,
                    supersededRows);
        }

        /** The same table as a later snapshot holds it unread: its chunks were all there already. */
        public Table unread() {
            return new Table(schema, name, columns, rows, tenantRows, digest, bytes, 0, chunks, primaryKey, tenantVia,
                    tenantKey, tenantChunks, patchChunks, patchTenantChunks, supersededChunks, patchRows,
                    supersededRows);
        }

        /** Whether the table is a base stream plus a row delta. */
        public boolean patched() {
            return patchChunks != null;
        }

        /** Every data blob the table's rows need: base, patch and superseded keys. */
        public List<BlobId> blobs() {
            if (!patched()) {
                return chunks;
            }
            List<BlobId> out = new java.util.ArrayList<>(chunks);
            out.addAll(patchChunks);
            if (supersededChunks != null) {
                out.addAll(supersededChunks);
            }
            return out;
        }

        /** Whether rows of {@code tenant} were stored grouped (in the base or the patch). */
        public boolean holdsTenant(String tenant) {
            return (tenantChunks != null && tenantChunks.containsKey(tenant))
                    || (patchTenantChunks != null && patchTenantChunks.containsKey(tenant));
        }

        public String qualifiedName() {
            return schema + "." + name;
        }

        /** Whether the stream is grouped by tenant, so that one tenant's rows can be read alone. */
        public boolean groupedByTenant() {
            return tenantChunks != null && tenantVia != null;
        }
    }

    /** Restore order. Data is loaded between {@link #SEQUENCE_OWNERSHIP} and {@link #CONSTRAINTS}. */
    public enum Phase {
        SCHEMAS, EXTENSIONS, TYPES, SEQUENCES, FUNCTIONS, TABLES, SEQUENCE_OWNERSHIP, CONSTRAINTS, INDEXES,
        FOREIGN_KEYS, SEQUENCE_VALUES, VIEWS, REFRESH, TRIGGERS, COMMENTS,
        /** MySQL events, created last (after triggers). */
        EVENTS;

        /** Whether the statement depends on data or state rather than on the schema. */
        public boolean stateOnly() {
            return this == SEQUENCE_VALUES || this == REFRESH;
        }
    }
}
