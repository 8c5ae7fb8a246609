package io.restorekit.repository;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/** No snapshot has that id or prefix, or the prefix is ambiguous (exit 2). */
public class SnapshotNotFoundException extends RkException {
    public SnapshotNotFoundException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
