package io.restorekit.repository.crypto;

import com.github.luben.zstd.Zstd;

import javax.crypto.AEADBadTagException;
import java.io.IOException;

/** {@code seal(zstd(body))}: how config, manifests, index and lock files are stored (§3). */
public final class Envelope {
    public static final int LEVEL = 3;

    private Envelope() {
    }

    public static byte[] wrap(Sealer sealer, byte[] body) {
        return sealer.seal(Zstd.compress(body, LEVEL));
    }

    /** Opens and decompresses; {@link AEADBadTagException} when damaged, IOException when not zstd. */
    public static byte[] unwrap(Sealer sealer, byte[] stored) throws AEADBadTagException, IOException {
        byte[] frame = sealer.open(stored);
        long size = Zstd.getFrameContentSize(frame);
        if (size < 0 || size > Integer.MAX_VALUE - 16) {
            throw new IOException("authenticated content is not a zstd frame of known size");
        }
        try {
            return Zstd.decompress(frame, (int) size);
        } catch (RuntimeException e) {
            throw new IOException("authenticated content does not decompress: " + e.getMessage(), e);
        }
    }
}
