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

/** Passes every call to another storage; wrappers override only what they add. */
public abstract class ForwardingStorage implements Storage {
    protected final Storage inner;

    protected ForwardingStorage(Storage inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        inner.save(handle, payload);
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
        inner.remove(handle);
    }

    @Override
    public byte[] readAll(Handle handle) throws IOException {
        return inner.readAll(handle);
    }

    @Override
    public int cleanup(java.time.Instant before) throws IOException {
        return inner.cleanup(before);
    }

    @Override
    public boolean supportsRetention() {
        return inner.supportsRetention();
    }

    @Override
    public java.time.Instant retainUntil(Handle handle) throws IOException {
        return inner.retainUntil(handle);
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    /** This wrapper where nothing below keeps copies; else what is below it, without them (for reading). */
    @Override
    public Storage uncached() {
        Storage below = inner.uncached();
        return below == inner ? this : below;
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + inner + "]";
    }
}
