package io.restorekit.repository.index;

import io.restorekit.common.Hex;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.crypto.Envelope;
import io.restorekit.repository.crypto.Sealer;
import io.restorekit.repository.pack.PackEntry;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One index file (§7): which blobs each listed pack holds, and which older index files it
 * replaces. Stored as {@code seal(zstd(body))}.
 */
public record IndexFile(List<String> superseded, List<PackBlobs> packs) {
    private static final byte[] MAGIC = "RKIX".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int BLOB = 1 + 32 + 4 + 4 + 4;

    public IndexFile {
        superseded = List.copyOf(superseded);
        packs = List.copyOf(packs);
    }

    /** The blobs of one pack. */
    public record PackBlobs(String packId, List<PackEntry> entries) {
        public PackBlobs {
            entries = List.copyOf(entries);
        }
    }

    public int blobCount() {
        return packs.stream().mapToInt(p -> p.entries().size()).sum();
    }

    public byte[] seal(Sealer sealer) {
        return Envelope.wrap(sealer, encode());
    }

    public static IndexFile open(Sealer sealer, byte[] stored) throws IOException, AEADBadTagException {
        return decode(Envelope.unwrap(sealer, stored));
    }

    public byte[] encode() {
        int size = 4 + 1 + 4 + 32 * superseded.size() + 4;
        for (PackBlobs p : packs) {
            size += 32 + 4 + BLOB * p.entries().size();
        }
        ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) VERSION).putInt(superseded.size());
        for (String s : superseded) {
            buf.put(Hex.decode(s));
        }
        buf.putInt(packs.size());
        for (PackBlobs p : packs) {
            buf.put(Hex.decode(p.packId())).putInt(p.entries().size());
            for (PackEntry e : p.entries()) {
                buf.put((byte) e.type().code()).put(e.id().bytes())
                        .putInt(e.offset()).putInt(e.storedLength()).putInt(e.rawLength());
            }
        }
        return buf.array();
    }

    public static IndexFile decode(byte[] body) throws IOException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[4];
            buf.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not an index file (no RKIX magic)");
            }
            int version = buf.get();
            if (version != VERSION) {
                throw new IOException("index file version " + version + " is not supported (expected 1)");
            }
            byte[] id = new byte[32];
            int supersededCount = count(buf, 32);
            List<String> superseded = new ArrayList<>(supersededCount);
            for (int i = 0; i < supersededCount; i++) {
                buf.get(id);
                superseded.add(Hex.encode(id));
            }
            int packCount = count(buf, 36);
            List<PackBlobs> packs = new ArrayList<>(packCount);
            for (int i = 0; i < packCount; i++) {
                buf.get(id);
                String packId = Hex.encode(id);
                int blobCount = count(buf, BLOB);
                List<PackEntry> entries = new ArrayList<>(blobCount);
                for (int j = 0; j < blobCount; j++) {
                    BlobType type = BlobType.ofCode(buf.get());
                    buf.get(id);
                    entries.add(new PackEntry(type, BlobId.of(id), buf.getInt(), buf.getInt(), buf.getInt()));
                }
                packs.add(new PackBlobs(packId, entries));
            }
            if (buf.hasRemaining()) {
                throw new IOException("index file has " + buf.remaining() + " trailing bytes");
            }
            return new IndexFile(superseded, packs);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException("index file is truncated or malformed", e);
        }
    }

    private static int count(ByteBuffer buf, int each) throws IOException {
        long n = buf.getInt() & 0xffffffffL;
        if (n * each > buf.remaining()) {
            throw new IOException("index file announces " + n + " entries but is too short for them");
        }
        return (int) n;
    }
}
