package io.restorekit.repository.pack;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.crypto.Sealer;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Storage;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The header at the end of a pack (§6): {@code seal(entries) || length u32 LE}, 41 bytes per entry
 * (type, stored length, raw length, id); offsets follow from the stored lengths.
 */
public final class PackHeader {
    public static final int ENTRY = 41;
    /** How much of a pack's end {@link #read} asks for at first: the header of up to about 6,000 blobs. */
    static final int TAIL = 256 << 10;

    private PackHeader() {
    }

    public static byte[] encode(List<PackEntry> entries) {
        ByteBuffer buf = ByteBuffer.allocate(entries.size() * ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        for (PackEntry e : entries) {
            buf.put((byte) e.type().code());
            buf.putInt(e.storedLength());
            buf.putInt(e.rawLength());
            buf.put(e.id().bytes());
        }
        return buf.array();
    }

    public static List<PackEntry> decode(byte[] plain) throws IOException {
        if (plain.length % ENTRY != 0) {
            throw new IOException("pack header of " + plain.length + " bytes is not a whole number of entries");
        }
        ByteBuffer buf = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
        List<PackEntry> entries = new ArrayList<>(plain.length / ENTRY);
        long offset = 0;
        byte[] id = new byte[32];
        while (buf.hasRemaining()) {
            int code = buf.get();
            if (code != 0 && code != 1) {
                throw new IOException("pack header names unknown blob type " + code);
            }
            int stored = buf.getInt();
            int raw = buf.getInt();
            buf.get(id);
            if (stored < Sealer.OVERHEAD || raw < 0 || offset + stored > Integer.MAX_VALUE) {
                throw new IOException("pack header entry " + entries.size() + " has impossible lengths");
            }
            entries.add(new PackEntry(BlobType.ofCode(code), BlobId.of(id), (int) offset, stored, raw));
            offset += stored;
        }
        return entries;
    }

    /** Parses the header from the whole pack's bytes. */
    public static List<PackEntry> fromPack(byte[] pack, Sealer sealer) throws IOException, AEADBadTagException {
        return fromPack(pack, pack.length, sealer);
    }

    /** Parses the header from a whole pack held in {@code pack[0, length)}. */
    public static List<PackEntry> fromPack(byte[] pack, int length, Sealer sealer)
            throws IOException, AEADBadTagException {
        int len = headerLength(pack, length - 4, length);
        List<PackEntry> entries = decode(sealer.open(pack, length - 4 - len, len));
        checkFits(entries, length - 4 - len);
        return entries;
    }

    /**
     * Reads only the tail of a stored pack: its last {@link #TAIL} bytes, which hold the sealed
     * header and its length unless the pack has thousands of blobs (then the rest of the header
     * is read too). One request instead of two on remote storage.
     */
    public static List<PackEntry> read(Storage storage, Handle pack, long size, Sealer sealer)
            throws IOException, AEADBadTagException {
        if (size < 4 + Sealer.OVERHEAD) {
            throw new IOException("pack " + pack.name() + " has only " + size + " bytes");
        }
        int guess = (int) Math.min(size, TAIL);
        byte[] tail;
        try (InputStream in = storage.open(pack, size - guess, guess)) {
            tail = in.readAllBytes();
        }
        if (tail.length != guess) {
            throw new IOException("pack " + pack.name() + " ends " + (guess - tail.length)
                    + " bytes before its listed size");
        }
        int len = headerLength(tail, guess - 4, size);
        byte[] sealed;
        if (len <= guess - 4) {
            sealed = java.util.Arrays.copyOfRange(tail, guess - 4 - len, guess - 4);
        } else {
            try (InputStream in = storage.open(pack, size - 4 - len, len)) {
                sealed = in.readAllBytes();
            }
        }
        List<PackEntry> entries = decode(sealer.open(sealed));
        checkFits(entries, size - 4 - len);
        return entries;
    }

    private static int headerLength(byte[] b, int at, long packSize) throws IOException {
        if (b.length < at + 4 || at < 0 || packSize < 4) {
            throw new IOException("pack is too short for a header length");
        }
        long len = ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        if (len < Sealer.OVERHEAD || len > packSize - 4) {
            throw new IOException("pack header length " + len + " does not fit a pack of " + packSize + " bytes");
        }
        return (int) len;
    }

    private static void checkFits(List<PackEntry> entries, long blobBytes) throws IOException {
        long sum = 0;
        for (PackEntry e : entries) {
            sum += e.storedLength();
        }
        if (sum != blobBytes) {
            throw new IOException("pack header lists " + sum + " blob bytes but the pack holds " + blobBytes);
        }
    }
}
