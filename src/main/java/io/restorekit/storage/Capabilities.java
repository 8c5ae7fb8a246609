package io.restorekit.storage;

/**
 * Optional abilities of a backend beyond the contract.
 *
 * @param localPath the backend keeps objects as files on a local file system (fast range reads,
 *                  free-space reporting)
 * @param freeSpace bytes free at the location, -1 when unknown
 */
public record Capabilities(boolean localPath, long freeSpace) {
    public static final Capabilities NONE = new Capabilities(false, -1);
}
