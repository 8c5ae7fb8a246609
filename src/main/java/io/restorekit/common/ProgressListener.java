package io.restorekit.common;

/**
 * Receives progress of a long operation. Services call it from any thread; implementations must
 * be thread-safe and cheap. The shell renders it on a terminal and ignores it otherwise.
 */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
    };

    /** The amount of work is known (or refined): total bytes and items, -1 when unknown. */
    default void total(long bytes, long items) {
    }

    /** Work done since the last call. */
    default void advance(long bytes, long items) {
    }

    /** Something worth telling the operator that does not fail the operation. */
    default void warn(String message) {
    }
}
