package io.restorekit.source.postgres;

import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * The rows of a {@code COPY (query) TO STDOUT} whose last column is the row's tenant and whose
 * rows come ordered by tenant, cut into one stream per tenant: each segment reads as an
 * {@link InputStream} of the table's COPY text (the tenant column removed) that ends where the
 * tenant changes. The server sends one row per COPY message.
 */
final class TenantSegments extends InputStream {
    private static final byte[] NULL = {'\\', 'N'};

    private final CopyOut copy;
    private final RowScanner scanner;
    private byte[] row;
    private String rowTenant;
    private int pos;
    private boolean exhausted;
    private boolean segmentDone = true;
    private String tenant;
    private long segmentRows;

    TenantSegments(CopyOut copy, RowScanner scanner) {
        this.copy = copy;
        this.scanner = scanner;
    }

    /** Moves to the next tenant's rows; false at the end of the table. */
    boolean nextSegment() throws IOException {
        if (row == null && !exhausted) {
            fetch();
        }
        if (row == null) {
            return false;
        }
        tenant = rowTenant;
        segmentRows = 0;
        segmentDone = false;
        return true;
    }

    /** The current segment's tenant (raw COPY text), or null for rows without one. */
    String tenant() {
        return tenant;
    }

    /** Rows of the current segment read so far. */
    long rows() {
        return segmentRows;
    }

    private void fetch() throws IOException {
        byte[] data;
        try {
            data = copy.readFromCopy();
        } catch (SQLException e) {
            throw new CopyOutStream.CopyFailure(e);
        }
        if (data == null) {
            exhausted = true;
            row = null;
            return;
        }
        int end = data.length > 0 && data[data.length - 1] == '\n' ? data.length - 1 : data.length;
        int tab = end - 1;
        while (tab >= 0 && data[tab] != '\t') {
            tab--;
        }
        if (tab < 0) {
            throw new IOException("a tenant-grouped COPY row has no tenant column");
        }
        byte[] tenantBytes = Arrays.copyOfRange(data, tab + 1, end);
        rowTenant = Arrays.equals(tenantBytes, NULL) ? null : new String(tenantBytes, StandardCharsets.UTF_8);
        data[tab] = '\n';
        row = Arrays.copyOf(data, tab + 1);
        scanner.update(row, 0, row.length);
        pos = 0;
    }

    private boolean hasByte() throws IOException {
        if (segmentDone) {
            return false;
        }
        if (row != null && pos < row.length) {
            return true;
        }
        if (row != null) {
            row = null;
        }
        if (!exhausted) {
            fetch();
        }
        if (row == null || !java.util.Objects.equals(rowTenant, tenant)) {
            segmentDone = true;
            return false;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        if (!hasByte()) {
            return -1;
        }
        if (pos == 0) {
            segmentRows++;
        }
        return row[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len && hasByte()) {
            if (pos == 0) {
                segmentRows++;
            }
            int k = Math.min(len - n, row.length - pos);
            System.arraycopy(row, pos, b, off + n, k);
            pos += k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }
}
