package io.restorekit.source.postgres;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A table's stored COPY stream read back chunk by chunk (one chunk in memory at a time), scanned
 * as it passes so the caller can compare rows and digest with the manifest.
 */
public final class ChunkStream extends InputStream {
    private final Repository repository;
    private final List<BlobId> chunks;
    private final RowScanner scanner;
    private int next;
    private byte[] current = new byte[0];
    private int pos;

    public ChunkStream(Repository repository, List<BlobId> chunks, RowScanner scanner) {
        this.repository = repository;
        this.chunks = chunks;
        this.scanner = scanner;
    }

    private boolean fill() throws IOException {
        while (pos >= current.length) {
            if (next >= chunks.size()) {
                return false;
            }
            current = repository.loadBlob(BlobType.DATA, chunks.get(next++));
            pos = 0;
            scanner.update(current, 0, current.length);
        }
        return true;
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

    /** Reads the rest of the stream (to finish the scan without loading it anywhere). */
    public long drain() throws IOException {
        long total = 0;
        while (fill()) {
            total += current.length - pos;
            pos = current.length;
        }
        return total;
    }
}
