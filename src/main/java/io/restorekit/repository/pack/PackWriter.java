package io.restorekit.repository.pack;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.crypto.Sealer;
import io.restorekit.repository.crypto.Sha256;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Gathers sealed blobs of one type in memory until the pack is full. Not thread-safe. */
public final class PackWriter {
    private final BlobType type;
    private byte[] buf;
    private int size;
    private final List<PackEntry> entries = new ArrayList<>();

    public PackWriter(BlobType type, int expectedSize) {
        this.type = type;
        // Data packs fill up: allocate once. Tree packs are often tiny.
        this.buf = new byte[type == BlobType.DATA
                ? expectedSize + (64 << 10)
                : Math.max(1024, Math.min(expectedSize, 1 << 20))];
    }

    public BlobType type() {
        return type;
    }

    public void add(BlobId id, byte[] sealed, int rawLength) {
        if (size + sealed.length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(size + sealed.length, buf.length * 2));
        }
        System.arraycopy(sealed, 0, buf, size, sealed.length);
        entries.add(new PackEntry(type, id, size, sealed.length, rawLength));
        size += sealed.length;
    }

    /** Bytes of blobs so far. */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int count() {
        return entries.size();
    }

    /** The complete pack: blobs, sealed header, header length; named by its SHA-256. */
    public FinishedPack finish(Sealer sealer) {
        byte[] header = sealer.seal(PackHeader.encode(entries));
        byte[] pack = Arrays.copyOf(buf, size + header.length + 4);
        System.arraycopy(header, 0, pack, size, header.length);
        ByteBuffer.wrap(pack, size + header.length, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length);
        buf = null;
        return new FinishedPack(Sha256.hex(pack), pack, List.copyOf(entries));
    }

    /** A pack ready to be stored under {@code data/<id>}. */
    public record FinishedPack(String id, byte[] bytes, List<PackEntry> entries) {
    }
}
