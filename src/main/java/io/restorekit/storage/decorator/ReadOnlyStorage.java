package io.restorekit.storage.decorator;

import io.restorekit.storage.Handle;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;

/**
 * A read-only view of another storage, for restore, verify and drills: reads pass through,
 * {@link #save} and {@link #remove} fail with a {@link StorageReadOnlyException} and change nothing.
 */
public final class ReadOnlyStorage extends ForwardingStorage {

    public ReadOnlyStorage(Storage inner) {
        super(inner);
    }

    @Override
    public void save(Handle handle, Payload payload) throws StorageReadOnlyException {
        throw refused("save", handle);
    }

    @Override
    public void remove(Handle handle) throws StorageReadOnlyException {
        throw refused("remove", handle);
    }

    /** A read-only view removes nothing, leftovers included. */
    @Override
    public int cleanup(java.time.Instant before) {
        return 0;
    }

    private StorageReadOnlyException refused(String what, Handle handle) {
        return new StorageReadOnlyException("refusing to " + what + " " + handle + ": repository '"
                + inner.location() + "' is opened read-only for this operation");
    }
}
