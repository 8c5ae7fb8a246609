package io.restorekit.source.postgres;

import io.restorekit.repository.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Manifests as older versions wrote them, for tests of how current readers check them. */
public final class ManifestEdits {
    private ManifestEdits() {
    }

    /** What a backup before the MurmurHash3 digest wrote for the stored rows of {@code t}: the sum of their SHA-256. */
    public static String sha256Digest(Repository repository, DatabaseManifest.Table t) throws IOException {
        RowScanner sha = RowScanner.checking("0".repeat(64), -1);
        try (InputStream in = TableData.rows(repository, t, sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return sha.digest();
    }

    /**
     * The tables of {@code m} with the digests a backup before MurmurHash3 wrote for their stored
     * rows; those of the tables {@code wrong} accepts are off by one hex digit.
     */
    public static List<DatabaseManifest.Table> withSha256Digests(Repository repository, DatabaseManifest m,
                                                                 Predicate<DatabaseManifest.Table> wrong)
            throws IOException {
        List<DatabaseManifest.Table> out = new ArrayList<>();
        for (DatabaseManifest.Table t : m.tables()) {
            String sha = sha256Digest(repository, t);
            out.add(withDigest(t, wrong.test(t) ? flipped(sha) : sha));
        }
        return out;
    }

    public static DatabaseManifest.Table withDigest(DatabaseManifest.Table t, String digest) {
        return new DatabaseManifest.Table(t.schema(), t.name(), t.columns(), t.rows(), t.tenantRows(), digest, t.bytes(),
                t.addedBytes(), t.chunks(), t.primaryKey(), t.tenantVia(), t.tenantKey(), t.tenantChunks(),
                t.patchChunks(), t.patchTenantChunks(), t.supersededChunks(), t.patchRows(), t.supersededRows());
    }

    /** {@code t} claiming {@code rows} rows: a manifest its stored rows no longer match. */
    public static DatabaseManifest.Table withRows(DatabaseManifest.Table t, long rows) {
        return new DatabaseManifest.Table(t.schema(), t.name(), t.columns(), rows, t.tenantRows(), t.digest(), t.bytes(),
                t.addedBytes(), t.chunks(), t.primaryKey(), t.tenantVia(), t.tenantKey(), t.tenantChunks(),
                t.patchChunks(), t.patchTenantChunks(), t.supersededChunks(), t.patchRows(), t.supersededRows());
    }

    public static DatabaseManifest withTables(DatabaseManifest m, List<DatabaseManifest.Table> tables) {
        return new DatabaseManifest(m.version(), m.server(), m.database(), m.tenantColumn(), m.schemaFingerprint(),
                m.schema(), tables, m.warnings(), m.tenantTable(), m.foreignKeys());
    }

    /** {@code m} with other schema statements: a snapshot whose objects a target cannot take as they are. */
    public static DatabaseManifest withSchema(DatabaseManifest m, List<DatabaseManifest.Ddl> schema) {
        return new DatabaseManifest(m.version(), m.server(), m.database(), m.tenantColumn(), m.schemaFingerprint(),
                schema, m.tables(), m.warnings(), m.tenantTable(), m.foreignKeys());
    }

    /** A digest of the same kind that differs from {@code digest}. */
    public static String flipped(String digest) {
        int last = digest.length() - 1;
        return digest.substring(0, last) + (digest.charAt(last) == '0' ? '1' : '0');
    }
}
