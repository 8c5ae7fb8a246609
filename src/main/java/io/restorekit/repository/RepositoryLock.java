package io.restorekit.repository;

import java.io.Closeable;

/** A held lock; refreshed in the background while held, removed on {@link #close()}. */
public interface RepositoryLock extends Closeable {
    @Override
    void close();
}
