package io.restorekit.config;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/**
 * The configuration file is missing, does not parse, or holds a wrong value (exit 2). The
 * message names the file, the key path and what was expected:
 * {@code restorekit.yml: sources[1].path: expected a directory path (string), got a list}.
 */
public class InvalidConfigException extends RkException {
    public InvalidConfigException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
