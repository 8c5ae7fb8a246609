package io.restorekit.source.postgres;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * The one way to read a table's rows from a snapshot (docs/repository-format.md §8): the base
 * stream ({@code chunks}) without the rows whose keys are superseded, then the rows of the patch
 * ({@code patch-chunks}). For a table without a patch that is simply its stream. The rows come as
 * COPY text, one chunk in memory at a time, and pass through the caller's {@link RowScanner} so
 * that rows and digest can be checked against the manifest.
 *
 * <p>Rows come in stream order within the base and within the patch (by tenant, then key, for
 * tenant-grouped tables), not in one order overall; the digest does not depend on it.
 */
public final class TableData extends ScannedPieces {
    private final Repository repository;
    private final List<BlobId> base;
    private final List<BlobId> patch;
    private final List<BlobId> superseded;
    private final RowKeys keys;
    private long[] dropped;
    private int next;
    private byte[] carry = new byte[0];

    private TableData(Repository repository, DatabaseManifest.Table t, List<BlobId> base, List<BlobId> patch,
                      RowScanner scanner) {
        super(scanner);
        this.repository = repository;
        this.base = base;
        this.patch = patch;
        this.superseded = t.supersededChunks() == null ? List.of() : t.supersededChunks();
        this.keys = superseded.isEmpty() ? null : RowKeys.of(t.columns(), t.primaryKey());
        if (!superseded.isEmpty() && keys == null) {
            throw new IllegalStateException("table '" + t.qualifiedName()
                    + "' has superseded keys but no primary key in its columns");
        }
    }

    /** Every row of the table. */
    public static InputStream rows(Repository repository, DatabaseManifest.Table t, RowScanner scanner) {
        return new TableData(repository, t, t.chunks(), t.patchChunks() == null ? List.of() : t.patchChunks(),
                scanner);
    }

    /**
     * The rows of one tenant, reading only the chunks that can hold them (plus the superseded keys).
     * The table must be {@link DatabaseManifest.Table#groupedByTenant() grouped by tenant}.
     */
    public static InputStream tenantRows(Repository repository, DatabaseManifest.Table t, String tenant,
                                         RowScanner scanner) {
        return new TableData(repository, t, range(t.chunks(), t.tenantChunks(), tenant),
                range(t.patchChunks(), t.patchTenantChunks(), tenant), scanner);
    }

    /** How many data blobs a read of {@code tenant} (null: the whole table) loads. */
    public static int chunksRead(DatabaseManifest.Table t, String tenant) {
        int superseded = t.supersededChunks() == null ? 0 : t.supersededChunks().size();
        if (tenant == null) {
            return t.blobs().size();
        }
        return range(t.chunks(), t.tenantChunks(), tenant).size()
                + range(t.patchChunks(), t.patchTenantChunks(), tenant).size() + superseded;
    }

    private static List<BlobId> range(List<BlobId> chunks, java.util.Map<String, List<Integer>> ranges,
                                      String tenant) {
        if (chunks == null || ranges == null) {
            return List.of();
        }
        List<Integer> r = ranges.get(tenant);
        return r == null ? List.of() : chunks.subList(r.get(0), r.get(1));
    }

    @Override
    byte[] nextPiece() throws IOException {
        if (dropped == null) {
            dropped = supersededKeys();
        }
        if (next < base.size()) {
            byte[] chunk = load(base.get(next++));
            return dropped.length == 0 ? chunk : filter(chunk);
        }
        int p = next - base.size();
        if (p < patch.size()) {
            next++;
            return load(patch.get(p));
        }
        return null;
    }

    /** A chunk's plaintext in an array of its own: one allocation, the sealed and packed forms in the thread's buffers. */
    private byte[] load(BlobId id) throws IOException {
        byte[][] out = new byte[1][];
        repository.readBlob(BlobType.DATA, id, (data, off, len) -> out[0] = Arrays.copyOfRange(data, off, off + len));
        return out[0];
    }

    /** The sorted key hashes whose base rows are left out. */
    private long[] supersededKeys() throws IOException {
        if (superseded.isEmpty()) {
            return new long[0];
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (BlobId id : superseded) {
            all.write(repository.loadBlob(BlobType.DATA, id));
        }
        byte[] b = all.toByteArray();
        if (b.length % 8 != 0) {
            throw new IOException("the superseded keys of a table are " + b.length + " bytes, not a multiple of 8");
        }
        long[] out = new long[b.length / 8];
        java.nio.ByteBuffer.wrap(b).asLongBuffer().get(out);
        return out;
    }

    /** The chunk's complete rows whose keys are not superseded; a partial last row waits for the next chunk. */
    private byte[] filter(byte[] chunk) {
        byte[] out = new byte[carry.length + chunk.length];
        int n = 0;
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] != '\n') {
                continue;
            }
            if (carry.length > 0) {
                byte[] line = Arrays.copyOf(carry, carry.length + i - start + 1);
                System.arraycopy(chunk, start, line, carry.length, i - start + 1);
                carry = new byte[0];
                n = keep(line, 0, line.length, out, n);
            } else {
                n = keep(chunk, start, i - start + 1, out, n);
            }
            start = i + 1;
        }
        if (start < chunk.length) {
            byte[] more = Arrays.copyOf(carry, carry.length + chunk.length - start);
            System.arraycopy(chunk, start, more, carry.length, chunk.length - start);
            carry = more;
        }
        return Arrays.copyOf(out, n);
    }

    private int keep(byte[] line, int off, int len, byte[] out, int n) {
        if (Arrays.binarySearch(dropped, keys.hash(line, off, len - 1)) >= 0) {
            return n;
        }
        System.arraycopy(line, off, out, n, len);
        return n + len;
    }
}
