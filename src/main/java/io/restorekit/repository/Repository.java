package io.restorekit.repository;

import io.restorekit.repository.chunk.Chunker;
import io.restorekit.storage.Storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A content-addressed, encrypted, deduplicating store on a {@link Storage}
 * (docs/repository-format.md). Knows nothing of files, databases or tenants: it stores blobs,
 * snapshot manifests and locks.
 *
 * <p>Blob saving is thread-safe: callers (one per core) hash, compress and seal in their own
 * thread; finished packs are written by a background writer. {@link #flush()} waits until
 * everything saved so far is in packs and named by an index file; only then may a snapshot that
 * refers to those blobs be saved (write ordering).
 */
public final class Repository implements Closeable {

    /** Creates a new repository; fails when {@code storage} already holds one. */
    public static Repository init(Storage storage, char[] password, RepositoryOptions options) throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Opens an existing repository; {@link WrongPasswordException} when no key opens with it. */
    public static Repository open(Storage storage, char[] password) throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Whether {@code storage} holds a repository (its config object exists). */
    public static boolean exists(Storage storage) throws IOException {
        throw new UnsupportedOperationException();
    }

    public Storage storage() {
        throw new UnsupportedOperationException();
    }

    /** The repository id (64 hex). */
    public String id() {
        throw new UnsupportedOperationException();
    }

    /** A content-defined chunker with this repository's secret parameters over {@code in}. */
    public Chunker chunker(InputStream in) {
        throw new UnsupportedOperationException();
    }

    /** The keyed id of {@code data[off, off+len)}. */
    public BlobId blobId(byte[] data, int off, int len) {
        throw new UnsupportedOperationException();
    }

    /** Whether the blob is stored (or being stored by this process). */
    public boolean has(BlobType type, BlobId id) {
        throw new UnsupportedOperationException();
    }

    /**
     * Stores a blob unless the repository already has it. Thread-safe.
     *
     * @return its id, and the bytes added (0 when deduplicated)
     */
    public SaveResult saveBlob(BlobType type, byte[] data, int off, int len) throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Reads, authenticates and decompresses a blob; checks its id. */
    public byte[] loadBlob(BlobType type, BlobId id) throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Writes every open pack and an index naming them; waits until they are stored. */
    public void flush() throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Saves a manifest (after {@link #flush()}); returns it with its id. */
    public Snapshot saveSnapshot(Snapshot snapshot) throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Loads a snapshot by full id or unique prefix (at least 6 hex characters). */
    public Snapshot loadSnapshot(String idOrPrefix) throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Every snapshot, oldest first. */
    public List<Snapshot> snapshots() throws IOException {
        throw new UnsupportedOperationException();
    }

    /** Takes a lock; {@link RepositoryLockedException} naming the holder when it conflicts. */
    public RepositoryLock lock(LockRequest request) throws IOException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException();
    }

    /** The outcome of saving one blob. */
    public record SaveResult(BlobId id, boolean added, long rawBytes, long storedBytes) {
    }
}
