package io.restorekit.repository;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/** A repository was to be created where one already exists (exit 2). */
public class RepositoryExistsException extends RkException {
    public RepositoryExistsException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
