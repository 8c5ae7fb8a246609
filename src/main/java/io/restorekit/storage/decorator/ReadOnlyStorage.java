package io.restorekit.storage.decorator;

import io.restorekit.storage.Capabilities;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A read-only view of another storage, for restore, verify and drills: reads pass through,
 * {@link #save} and {@link #remove} fail with a {@link StorageReadOnlyException} and change nothing.
 */
public final class ReadOnlyStorage implements Storage {
    private final Storage inner;

    public ReadOnlyStorage(Storage inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        throw refused("save", handle);
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        return inner.open(handle, offset, length);
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        return inner.stat(handle);
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        inner.list(kind, each);
    }

    @Override
    public void remove(Handle handle) throws IOException {
        throw refused("remove", handle);
    }

    @Override
    public byte[] readAll(Handle handle) throws IOException {
        return inner.readAll(handle);
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public String toString() {
        return "ReadOnlyStorage[" + inner + "]";
    }

    private StorageReadOnlyException refused(String what, Handle handle) {
        return new StorageReadOnlyException("refusing to " + what + " " + handle + ": repository '"
                + inner.location() + "' is opened read-only for this operation");
    }
}
