package io.restorekit.restore;

import io.restorekit.common.BadInputException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.postgres.DatabaseManifest;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Looks into database snapshots without restoring: {@code ls SNAPSHOT} lists tables. */
public final class DatabaseBrowser {
    private final Repository repository;

    public DatabaseBrowser(Repository repository) {
        this.repository = repository;
    }

    /**
     * One table of a snapshot.
     *
     * @param bytes      length of its COPY text stream
     * @param addedBytes what this snapshot added to the repository for it
     * @param tenantRows rows per tenant; empty when the table has no tenant column
     */
    public record TableEntry(String schema, String name, long rows, long bytes, long addedBytes, long chunks,
                             String digest, Map<String, Long> tenantRows) {
    }

    /**
     * @param schemaFingerprint equal fingerprints mean equal schemas
     * @param warnings          objects the backup could not capture
     */
    public record Listing(Snapshot snapshot, String server, String database, String schemaFingerprint,
                          int schemaObjects, List<TableEntry> tables, List<String> warnings) {
        public Listing {
            tables = List.copyOf(tables);
            warnings = List.copyOf(warnings);
        }
    }

    /** Whether {@code ls} on this snapshot should list tables rather than files. */
    public static boolean isDatabase(Snapshot snapshot) {
        return DatabaseManifest.isDatabase(snapshot.kind());
    }

    /** The tables of a database snapshot, by schema and name. */
    public Listing tables(String snapshotIdOrPrefix) throws IOException {
        Snapshot snapshot = repository.loadSnapshot(snapshotIdOrPrefix);
        if (!isDatabase(snapshot) || snapshot.tree() == null) {
            throw new BadInputException("snapshot " + snapshot.shortId() + " of source '" + snapshot.source()
                    + "' is not a database snapshot");
        }
        DatabaseManifest m = DatabaseManifest.load(repository, snapshot.tree());
        List<TableEntry> tables = m.tables().stream()
                .map(t -> new TableEntry(t.schema(), t.name(), t.rows(), t.bytes(), t.addedBytes(), t.blobs().size(),
                        t.digest(), t.tenantRows() == null ? Map.of() : t.tenantRows()))
                .sorted((a, b) -> (a.schema() + "." + a.name()).compareTo(b.schema() + "." + b.name()))
                .toList();
        return new Listing(snapshot, m.server(), m.database(), m.schemaFingerprint(), m.schema().size(), tables,
                m.warnings());
    }
}
