package io.restorekit.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * Where the bytes of a repository live: a flat set of immutable named objects.
 *
 * <p>Contract every backend keeps (checked by the {@code StorageContract} test suite):
 * <ul>
 *   <li>{@link #save} is atomic: a concurrent or later reader sees the whole object or nothing,
 *       also when the process is killed during the save. It never overwrites: saving a name that
 *       exists fails with {@link ObjectExistsException} and leaves the existing object as it was.
 *   <li>Reading a name that does not exist fails with {@link ObjectNotFoundException}.
 *   <li>A failure to reach the backend (network, permissions of the location) is a
 *       {@link StorageUnavailableException}; other I/O problems are {@link IOException}s.
 *   <li>Methods are safe to call from several threads at once.
 * </ul>
 * Retries, fault injection, read-only views and the like are wrappers implementing this same
 * interface, never flags inside a backend.
 */
public interface Storage extends Closeable {

    /** Where this storage is, for messages ("/mnt/usb/rk", "s3://bucket/prefix"). */
    String location();

    /**
     * Stores {@code payload} under {@code handle}. The payload can be opened again, so that a
     * wrapper may retry. Fails with {@link ObjectExistsException} when the name exists.
     */
    void save(Handle handle, Payload payload) throws IOException;

    /**
     * Opens {@code length} bytes of the object starting at {@code offset}; {@code length < 0}
     * means up to the end. A range that does not lie within the object (negative offset, offset
     * or end past the last byte) fails with an IOException; an empty range at the end is fine.
     * The caller closes the stream.
     */
    InputStream open(Handle handle, long offset, long length) throws IOException;

    /** Size of an object; {@link ObjectNotFoundException} when it does not exist. */
    FileInfo stat(Handle handle) throws IOException;

    /**
     * Calls {@code each} with every object of the given kind, in no particular order, each once.
     * Objects being saved are not listed until their save completes.
     */
    void list(Kind kind, Consumer<FileInfo> each) throws IOException;

    /** Removes an object; removing one that does not exist is not an error. */
    void remove(Handle handle) throws IOException;

    /** Reads a whole object. */
    default byte[] readAll(Handle handle) throws IOException {
        try (InputStream in = open(handle, 0, -1)) {
            return in.readAllBytes();
        }
    }

    /**
     * Whether {@link #retainUntil} answers: the backend can hold objects under a retention period
     * (S3 Object Lock) during which they cannot be removed.
     */
    default boolean supportsRetention() {
        return false;
    }

    /**
     * Until when the object is under retention (cannot be removed), or null when it is not.
     * Backends without retention fail with {@link UnsupportedOperationException}.
     */
    default java.time.Instant retainUntil(Handle handle) throws IOException {
        throw new UnsupportedOperationException(location() + " does not support object retention");
    }

    /**
     * Removes what saves that never finished left behind before {@code before} — temporary files,
     * unfinished multipart uploads — and returns how many. Such leftovers are never objects: they
     * are invisible to {@link #list} and {@link #open}. Backends without leftovers return 0.
     */
    default int cleanup(java.time.Instant before) throws IOException {
        return 0;
    }

    /** What this backend can do beyond the contract. */
    default Capabilities capabilities() {
        return Capabilities.NONE;
    }

    /**
     * This storage without local copies of its objects, for reading what the backend itself
     * holds (a repository check); the storage itself where it keeps none.
     */
    default Storage uncached() {
        return this;
    }

    @Override
    default void close() throws IOException {
    }
}
