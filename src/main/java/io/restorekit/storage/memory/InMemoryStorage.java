package io.restorekit.storage.memory;

import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/** A storage held in memory: a real implementation for tests and for the layers above. */
public final class InMemoryStorage implements Storage {
    private final ConcurrentMap<Handle, byte[]> objects = new ConcurrentHashMap<>();

    @Override
    public String location() {
        return "memory:" + Integer.toHexString(System.identityHashCode(this));
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        byte[] bytes;
        try (InputStream in = payload.open()) {
            bytes = in.readAllBytes();
        }
        if (bytes.length != payload.length()) {
            throw new IOException("payload for " + handle + " has " + bytes.length + " bytes, expected "
                    + payload.length());
        }
        if (objects.putIfAbsent(handle, bytes) != null) {
            throw new ObjectExistsException(handle + " already exists in " + location());
        }
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        byte[] bytes = get(handle);
        long end = length < 0 ? bytes.length : offset + length;
        if (offset < 0 || offset > end || end > bytes.length) {
            throw new IOException("range " + offset + "+" + length + " is beyond the end of " + handle
                    + " (" + bytes.length + " bytes)");
        }
        return new ByteArrayInputStream(bytes, (int) offset, (int) (end - offset));
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        return new FileInfo(handle, get(handle).length);
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) {
        for (var e : List.copyOf(objects.entrySet())) {
            if (e.getKey().kind() == kind) {
                each.accept(new FileInfo(e.getKey(), e.getValue().length));
            }
        }
    }

    @Override
    public void remove(Handle handle) {
        objects.remove(handle);
    }

    /** Replaces an object's bytes, bypassing the no-overwrite rule: for damage in tests only. */
    public void tamper(Handle handle, byte[] bytes) {
        objects.put(handle, bytes.clone());
    }

    private byte[] get(Handle handle) throws ObjectNotFoundException {
        byte[] bytes = objects.get(handle);
        if (bytes == null) {
            throw new ObjectNotFoundException(handle + " does not exist in " + location());
        }
        return bytes;
    }
}
