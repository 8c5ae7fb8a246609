package io.restorekit.source.mysql;

import io.restorekit.source.postgres.RowScanner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The rows of a streamed result set as row text ({@link RowEncoder}), scanned as they pass. When
 * grouped, the result's last column is the row's tenant and rows come ordered by it: each segment
 * reads as an {@link InputStream} that ends where the tenant changes; otherwise there is one
 * segment of every row. Memory holds one buffer of rows, never the table.
 */
final class RowSegments extends InputStream {
    private static final int BUFFER = 1 << 16;

    private final ResultSet rows;
    private final RowEncoder encoder;
    private final Column tenantColumn;
    private final RowScanner scanner;
    private final RowEncoder.Buf current = new RowEncoder.Buf();
    private final RowEncoder.Buf row = new RowEncoder.Buf();
    private final RowEncoder.Buf tenantText = new RowEncoder.Buf();
    private int pos;
    private boolean held;
    private String heldTenant;
    private boolean exhausted;
    private boolean segmentDone = true;
    private String tenant;
    private long segmentRows;

    /** @param tenantColumn how the last column (the tenant) is written; null when not grouped */
    RowSegments(ResultSet rows, RowEncoder encoder, Column tenantColumn, RowScanner scanner) {
        this.rows = rows;
        this.encoder = encoder;
        this.tenantColumn = tenantColumn;
        this.scanner = scanner;
    }

    /** Moves to the next tenant's rows (or to all rows when not grouped); false at the end. */
    boolean nextSegment() throws IOException {
        if (!held && !exhausted) {
            fetch();
        }
        if (!held) {
            return false;
        }
        tenant = heldTenant;
        segmentRows = 0;
        segmentDone = false;
        return true;
    }

    /** The current segment's tenant (its row text), or null for rows without one or when not grouped. */
    String tenant() {
        return tenant;
    }

    long rows() {
        return segmentRows;
    }

    private void fetch() throws IOException {
        try {
            if (!rows.next()) {
                exhausted = true;
                held = false;
                return;
            }
            row.length = 0;
            encoder.encode(rows, row);
            if (tenantColumn != null) {
                tenantText.length = 0;
                RowEncoder.field(rows, encoder.size() + 1, tenantColumn, tenantText);
                heldTenant = tenantText.length == 2 && tenantText.data[0] == '\\' && tenantText.data[1] == 'N' ? null
                        : new String(tenantText.data, 0, tenantText.length, StandardCharsets.UTF_8);
            }
        } catch (SQLException e) {
            throw new ReadFailure(e);
        }
        scanner.update(row.data, 0, row.length);
        held = true;
    }

    private boolean fill() throws IOException {
        if (pos < current.length) {
            return true;
        }
        if (segmentDone) {
            return false;
        }
        current.length = 0;
        pos = 0;
        while (current.length < BUFFER) {
            if (!held) {
                if (exhausted) {
                    break;
                }
                fetch();
                if (!held) {
                    break;
                }
            }
            if (!Objects.equals(heldTenant, tenant)) {
                segmentDone = true;
                break;
            }
            current.add(row.data, 0, row.length);
            segmentRows++;
            held = false;
        }
        if (current.length == 0) {
            segmentDone = true;
            return false;
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current.data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len && fill()) {
            int k = Math.min(len - n, current.length - pos);
            System.arraycopy(current.data, pos, b, off + n, k);
            pos += k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }

    /** Carries the driver's error through the chunker, which only knows IOException. */
    static final class ReadFailure extends IOException {
        ReadFailure(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        SQLException sql() {
            return (SQLException) getCause();
        }
    }
}
