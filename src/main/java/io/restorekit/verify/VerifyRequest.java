package io.restorekit.verify;

/**
 * What to verify.
 *
 * @param snapshot an id or prefix to verify only that snapshot; null for the whole repository
 * @param readData read, decrypt and hash every byte (of the repository, or of that snapshot)
 */
public record VerifyRequest(String snapshot, boolean readData) {
}
