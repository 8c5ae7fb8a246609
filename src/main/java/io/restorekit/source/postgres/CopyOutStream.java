package io.restorekit.source.postgres;

import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;

/** The bytes of a {@code COPY ... TO STDOUT}, scanned row by row as they pass. */
final class CopyOutStream extends InputStream {
    private final CopyOut copy;
    private final RowScanner scanner;
    private byte[] current;
    private int pos;
    private boolean done;

    CopyOutStream(CopyOut copy, RowScanner scanner) {
        this.copy = copy;
        this.scanner = scanner;
    }

    private boolean fill() throws IOException {
        while (!done && (current == null || pos >= current.length)) {
            try {
                current = copy.readFromCopy();
            } catch (SQLException e) {
                throw new CopyFailure(e);
            }
            pos = 0;
            if (current == null) {
                done = true;
            } else {
                scanner.update(current, 0, current.length);
            }
        }
        return !done;
    }

    @Override
    public int read() throws IOException {
        return fill() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len && fill()) {
            int k = Math.min(len - n, current.length - pos);
            System.arraycopy(current, pos, b, off + n, k);
            pos += k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }

    /** Carries the driver's error through the chunker, which only knows IOException. */
    static final class CopyFailure extends IOException {
        CopyFailure(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        SQLException sql() {
            return (SQLException) getCause();
        }
    }
}
