package io.restorekit.source.postgres;

import java.io.IOException;
import java.io.InputStream;

/**
 * A stream over a sequence of byte arrays (COPY rows from the server, chunks from the repository),
 * one in memory at a time, each passed through a {@link RowScanner} as it arrives so that rows
 * and digest are known when the stream ends.
 */
abstract class ScannedPieces extends InputStream {
    private final RowScanner scanner;
    private byte[] current = new byte[0];
    private int pos;
    private boolean done;

    ScannedPieces(RowScanner scanner) {
        this.scanner = scanner;
    }

    /** The next piece, or null at the end. */
    abstract byte[] nextPiece() throws IOException;

    private boolean fill() throws IOException {
        while (!done && pos >= current.length) {
            byte[] piece = nextPiece();
            if (piece == null) {
                done = true;
            } else {
                current = piece;
                pos = 0;
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
}
