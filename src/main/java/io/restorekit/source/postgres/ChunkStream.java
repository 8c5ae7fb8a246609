package io.restorekit.source.postgres;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;

import java.io.IOException;
import java.util.List;

/**
 * A table's stored COPY stream read back chunk by chunk (one chunk in memory at a time), scanned
 * as it passes so the caller can compare rows and digest with the manifest.
 */
public final class ChunkStream extends ScannedPieces {
    private final Repository repository;
    private final List<BlobId> chunks;
    private int next;

    public ChunkStream(Repository repository, List<BlobId> chunks, RowScanner scanner) {
        super(scanner);
        this.repository = repository;
        this.chunks = chunks;
    }

    @Override
    byte[] nextPiece() throws IOException {
        return next < chunks.size() ? repository.loadBlob(BlobType.DATA, chunks.get(next++)) : null;
    }
}
