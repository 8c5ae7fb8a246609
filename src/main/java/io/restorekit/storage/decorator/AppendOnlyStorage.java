package io.restorekit.storage.decorator;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Storage;

import java.io.IOException;

/**
 * A storage that adds and never removes: for backup hosts that ransomware could control. Only
 * lock files (which every operation removes again) may be removed; every other removal fails
 * with {@link ErrorCode#NOT_PERMITTED}.
 */
public final class AppendOnlyStorage extends ForwardingStorage {
    public AppendOnlyStorage(Storage inner) {
        super(inner);
    }

    /** Whether {@code storage} is (or wraps) an append-only view. */
    public static boolean isAppendOnly(Storage storage) {
        return storage instanceof AppendOnlyStorage;
    }

    @Override
    public void remove(Handle handle) throws IOException {
        if (handle.kind() != Kind.LOCK) {
            throw new RkException(ErrorCode.NOT_PERMITTED, "repository '" + location() + "' is append-only: "
                    + handle + " may not be removed; forget and prune run only where the repository is not"
                    + " append-only (a host with 'retention.append-only: false' and a key without the append-only mark)");
        }
        super.remove(handle);
    }
}
