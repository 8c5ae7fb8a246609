package io.restorekit.storage.sftp;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/**
 * The SSH server could not be trusted or would not let us in: unknown or changed host key, refused
 * credentials. Not a passing failure, so not an IOException that a retrying wrapper would retry.
 */
public class SshLoginException extends RkException {
    public SshLoginException(String message, Throwable cause) {
        super(ErrorCode.UNREACHABLE, message, cause);
    }
}
