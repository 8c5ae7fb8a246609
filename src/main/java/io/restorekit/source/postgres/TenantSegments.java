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
 *
 * <p>Without a tenant column the whole table is one segment without a tenant. A {@link RowFilter}
 * sees every row (after the scanner) and decides which ones the segments carry.
 */
final class TenantSegments extends InputStream {
    /** Decides per row whether the segments carry it. */
    interface RowFilter {
        /**
         * @param row     the row's COPY text; {@code len} excludes the newline
         * @param rowHash the row's hash ({@link RowScanner#lastRowHash()})
         */
        boolean keep(byte[] row, int len, long rowHash) throws IOException;
    }

    private final CopyOut copy;
    private final RowScanner scanner;
    private final boolean tenantLast;
    private final RowFilter filter;
    private final java.util.Map<String, Long> tenantRows = new java.util.HashMap<>();
    private byte[] row;
    private int rowLength;
    private byte[] tenantBytes = new byte[0];
    private String tenantText = "";
    private String rowTenant;
    private int pos;
    private boolean exhausted;
    private boolean segmentDone = true;
    private String tenant;
    private long segmentRows;

    TenantSegments(CopyOut copy, RowScanner scanner) {
        this(copy, scanner, true, null);
    }

    /**
     * @param tenantLast whether each row ends with its tenant column (to be cut off)
     * @param filter     which rows to carry; null for all
     */
    TenantSegments(CopyOut copy, RowScanner scanner, boolean tenantLast, RowFilter filter) {
        this.copy = copy;
        this.scanner = scanner;
        this.tenantLast = tenantLast;
        this.filter = filter;
    }

    /** Rows per tenant (raw COPY text) of every row read, carried or not; NULL tenants are not counted. */
    java.util.Map<String, Long> tenantRows() {
        return java.util.Map.copyOf(tenantRows);
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
        while (true) {
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
            if (tenantLast) {
                int tab = end - 1;
                while (tab >= 0 && data[tab] != '\t') {
                    tab--;
                }
                if (tab < 0) {
                    throw new IOException("a tenant-grouped COPY row has no tenant column");
                }
                int tl = end - tab - 1;
                if (tl == 2 && data[tab + 1] == '\\' && data[tab + 2] == 'N') {
                    rowTenant = null;
                } else {
                    if (!Arrays.equals(tenantBytes, 0, tenantBytes.length, data, tab + 1, end)) {
                        tenantBytes = Arrays.copyOfRange(data, tab + 1, end);
                        tenantText = new String(tenantBytes, StandardCharsets.UTF_8);
                    }
                    rowTenant = tenantText;
                }
                data[tab] = '\n';
                end = tab;
            } else {
                rowTenant = null;
                if (end == data.length) {
                    data = Arrays.copyOf(data, end + 1);
                    data[end] = '\n';
                }
            }
            row = data;
            rowLength = end + 1;
            scanner.update(row, 0, rowLength);
            if (rowTenant != null) {
                tenantRows.merge(rowTenant, 1L, Long::sum);
            }
            if (filter == null || filter.keep(row, end, scanner.lastRowHash())) {
                pos = 0;
                return;
            }
        }
    }

    private boolean hasByte() throws IOException {
        if (segmentDone) {
            return false;
        }
        if (row != null && pos < rowLength) {
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
            int k = Math.min(len - n, rowLength - pos);
            System.arraycopy(row, pos, b, off + n, k);
            pos += k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }
}
