package io.restorekit.repository.pack;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.crypto.Sealer;
import io.restorekit.repository.crypto.Sha256;

import io.restorekit.common.Hex;
import io.restorekit.storage.Payload;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
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
        this(type, new byte[type == BlobType.DATA
                // Data packs fill up, and close with the blob that takes them past their size:
                // allocate once, with room for that blob. Tree packs are often tiny.
                ? roomy(expectedSize)
                : Math.max(1024, Math.min(expectedSize, 1 << 20))]);
    }

    /** A writer that gathers blobs in {@code buffer} (grown when a blob does not fit); see {@link #release()}. */
    public PackWriter(BlobType type, byte[] buffer) {
        this.type = type;
        this.buf = buffer;
    }

    public BlobType type() {
        return type;
    }

    public void add(BlobId id, byte[] sealed, int rawLength) {
        ensure(sealed.length);
        System.arraycopy(sealed, 0, buf, size, sealed.length);
        entries.add(new PackEntry(type, id, size, sealed.length, rawLength));
        size += sealed.length;
    }

    /**
     * Seals {@code payload[off, off+len)} straight into the pack, without an intermediate copy.
     *
     * @param rawLength the uncompressed length when the payload is compressed, else 0
     * @return the stored length
     */
    public int seal(BlobId id, Sealer sealer, byte[] payload, int off, int len, int rawLength) {
        ensure(len + Sealer.OVERHEAD);
        int stored = sealer.seal(payload, off, len, buf, size);
        entries.add(new PackEntry(type, id, size, stored, rawLength));
        size += stored;
        return stored;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            long need = (long) size + more;
            // Small (tree) buffers double. A data pack's grows by what it needs and an eighth:
            // doubling made the buffers 32 MiB where packs need 17, and the buffers of the packs in
            // flight and their spares are most of what a backup holds.
            long grown = buf.length < GROW_BY_NEED ? Math.max(need, 2L * buf.length) : roomy(need);
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, grown));
        }
    }

    /** Buffers from this size on grow by what they need rather than double. */
    private static final int GROW_BY_NEED = 8 << 20;

    /**
     * A working buffer for a pack of {@code size} bytes: the size and an eighth, in whole MiB, so
     * that the slightly larger packs after it fit too (packs close a little over their target).
     */
    public static int roomy(long size) {
        return (int) Math.min(Integer.MAX_VALUE - 16, (size + size / 8 + (1 << 20) - 1) >> 20 << 20);
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

    /**
     * The complete pack: blobs, sealed header, header length; named by its SHA-256. It is written
     * into the working buffer: the writer is unusable afterwards, and the buffer may serve another
     * writer once the pack is stored.
     */
    public FinishedPack finish(Sealer sealer) {
        byte[] header = sealer.seal(PackHeader.encode(entries));
        ensure(header.length + 4);
        System.arraycopy(header, 0, buf, size, header.length);
        int length = size + header.length + 4;
        ByteBuffer.wrap(buf, size + header.length, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length);
        String id = Hex.encode(Sha256.digest(buf, 0, length));
        byte[] pack = buf;
        buf = null;
        return new FinishedPack(id, pack, length, List.copyOf(entries));
    }

    /** A pack ready to be stored under {@code data/<id>}: {@code buffer[0, length)}. */
    public record FinishedPack(String id, byte[] buffer, int length, List<PackEntry> entries) {
        /** The pack's bytes to store, without copying them. */
        public Payload payload() {
            return new Payload() {
                @Override
                public long length() {
                    return length;
                }

                @Override
                public InputStream open() {
                    return new ByteArrayInputStream(buffer, 0, length);
                }
            };
        }

        /** The pack's bytes in an array of their own. */
        public byte[] bytes() {
            return Arrays.copyOf(buffer, length);
        }
    }
}
