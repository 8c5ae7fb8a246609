package io.restorekit.source.postgres;

import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.sql.SQLException;

/** The bytes of a {@code COPY ... TO STDOUT}, scanned row by row as they pass. */
final class CopyOutStream extends ScannedPieces {
    private final CopyOut copy;

    CopyOutStream(CopyOut copy, RowScanner scanner) {
        super(scanner);
        this.copy = copy;
    }

    @Override
    byte[] nextPiece() throws IOException {
        try {
            return copy.readFromCopy();
        } catch (SQLException e) {
            throw new CopyFailure(e);
        }
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
