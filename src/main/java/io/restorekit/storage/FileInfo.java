package io.restorekit.storage;

/** An object that exists in a storage, with its size in bytes. */
public record FileInfo(Handle handle, long size) {
}
