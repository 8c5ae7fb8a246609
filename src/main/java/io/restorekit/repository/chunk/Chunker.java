package io.restorekit.repository.chunk;

import java.io.IOException;

/** Splits a stream into content-defined chunks. */
public interface Chunker {
    /**
     * The next chunk, or {@code null} at the end of the stream. The returned array belongs to the
     * caller (it is not reused); {@link Chunk#length()} bytes of it are valid.
     */
    Chunk next() throws IOException;

    record Chunk(byte[] data, int length) {
    }
}
