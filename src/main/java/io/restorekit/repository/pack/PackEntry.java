package io.restorekit.repository.pack;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;

/**
 * One blob in a pack.
 *
 * @param offset       where its sealed bytes start in the pack
 * @param storedLength length of the sealed bytes
 * @param rawLength    plaintext length when stored compressed, 0 when stored as is
 */
public record PackEntry(BlobType type, BlobId id, int offset, int storedLength, int rawLength) {
}
