package io.restorekit.repository.chunk;

import java.io.IOException;

/** Splits a stream into content-defined chunks. */
public interface Chunker {
    /**
     * The next chunk, or {@code null} at the end of the stream. The returned array belongs to the
     * caller (it is not reused); {@link Chunk#length()} bytes of it are valid.
     */
    Chunk next() throws IOException;

    /**
     * The next chunk as {@code data()[offset(), offset()+length())} of a buffer the chunker may
     * reuse: valid only until the next call. Saves a copy per chunk when the caller consumes it at once.
     */
    default Slice nextSlice() throws IOException {
        Chunk c = next();
        return c == null ? null : new Slice(c.data(), 0, c.length());
    }

    /** The buffer the chunker ended up with, for the next chunker of this thread; empty when it keeps none. */
    default byte[] buffer() {
        return new byte[0];
    }

    record Chunk(byte[] data, int length) {
    }

    record Slice(byte[] data, int offset, int length) {
    }
}
