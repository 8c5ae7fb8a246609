package io.restorekit.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictTrainer;
import com.github.luben.zstd.ZstdException;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The zstd dictionaries of a repository (docs/repository-format.md §6a). Small data blobs (whole
 * business files: invoices, letters, JSON and CSV exports of a few KiB) share most of their
 * structure with one another but not within themselves, which zstd alone cannot see; a dictionary
 * trained on a few MiB of them carries that structure.
 *
 * <p>A writer of a repository that has none gathers the first 2 MiB of small
 * blobs that compress, trains a dictionary on them, stores it under {@code dicts/} and from then on
 * compresses small blobs with it; a repository that already has one uses it. The frames name their
 * dictionary (zstd's dictionary id), so a reader needs nothing else: it loads a dictionary the first
 * time a frame names it. The dictionary is stored before the first frame that uses it.
 */
final class Dictionaries {
    /** Data blobs up to this size are compressed with the dictionary (and may train it). */
    static final int MAX_BLOB = 128 << 10;
    /**
     * Sample bytes gathered before a dictionary is trained: 0.16 s of training. On {@code uploads},
     * 8 MiB of samples made a dictionary only 0.5 MB better, in three times the time.
     */
    static final int SAMPLE_BYTES = 2 << 20;
    /** Fewer samples than this train no useful dictionary. */
    static final int MIN_SAMPLES = 32;
    /** Dictionary size: 64 KiB does as well as 112 KiB on the bench's business files. */
    static final int SIZE = 64 << 10;
    /** Every how many small blobs one is compressed without the dictionary as well. */
    static final int CHECK_EVERY = 64;
    /** Checks per verdict on the dictionary: 16 checks, over 1,024 small blobs. */
    static final int CHECK_WINDOW = 16;
    private static final int DICT_MAGIC = 0xEC30A437;
    private static final ThreadLocal<ZstdCompressCtx> PLAIN = ThreadLocal.withInitial(ZstdCompressCtx::new);
    private static final ThreadLocal<byte[]> CHECK_SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

    private static final ThreadLocal<Loaded<ZstdCompressCtx>> COMPRESSOR =
            ThreadLocal.withInitial(() -> new Loaded<>(new ZstdCompressCtx()));
    private static final ThreadLocal<Loaded<ZstdDecompressCtx>> DECOMPRESSOR =
            ThreadLocal.withInitial(() -> new Loaded<>(new ZstdDecompressCtx()));

    private final Repository repo;
    private final boolean mayTrain;
    private final Map<Integer, ZstdDictDecompress> forReading = new ConcurrentHashMap<>();
    private final Set<Integer> missing = ConcurrentHashMap.newKeySet();
    private final Object writing = new Object();
    private volatile boolean looked;
    private volatile ZstdDictCompress forWriting;
    private volatile boolean gathering;
    private List<byte[]> samples = new ArrayList<>();
    private long sampled;
    private final AtomicLong checked = new AtomicLong();
    private long tally;
    private int checks;
    private volatile boolean outgrown;

    /** A context of this thread and the dictionary it refers to now. */
    private static final class Loaded<C> {
        final C ctx;
        Object dict;

        Loaded(C ctx) {
            this.ctx = ctx;
        }
    }

    /**
     * @param mayTrain whether this repository's format has dictionaries (version 2 on): older
     *                 readers could not read frames that need one
     */
    Dictionaries(Repository repo, boolean mayTrain) {
        this.repo = repo;
        this.mayTrain = mayTrain;
    }

    /**
     * Compresses a small data blob with the repository's dictionary into {@code dst}, or returns -1
     * when it has none (yet): the caller compresses without and offers the blob as a sample.
     */
    int compress(byte[] dst, byte[] data, int off, int len) throws IOException {
        ZstdDictCompress dict = dictionaryForWriting();
        if (dict == null) {
            return -1;
        }
        Loaded<ZstdCompressCtx> c = COMPRESSOR.get();
        if (c.dict != dict) {
            c.ctx.setLevel(level());
            c.ctx.setDictID(true);
            c.ctx.loadDict(dict);
            c.dict = dict;
        }
        int n = c.ctx.compressByteArray(dst, 0, dst.length, data, off, len);
        if (checked.incrementAndGet() % CHECK_EVERY == 0) {
            compareWithout(dict, n, data, off, len);
        }
        return n;
    }

    /**
     * Keeps the dictionary honest: every {@value #CHECK_EVERY}th small blob is also compressed
     * without it, at the repository's level. Small files unlike those it was trained on can come out
     * larger with it (at level 1) than without (at level 2): when the blobs of
     * {@value #CHECK_WINDOW} checks in a row came out larger with it in all, this writer stops
     * using it.
     */
    private void compareWithout(ZstdDictCompress dict, int withDict, byte[] data, int off, int len) {
        byte[] dst = CHECK_SCRATCH.get();
        int bound = (int) Zstd.compressBound(len);
        if (dst.length < bound) {
            dst = new byte[bound];
            CHECK_SCRATCH.set(dst);
        }
        int without = PLAIN.get().setLevel(repo.blobLevel()).compressByteArray(dst, 0, dst.length, data, off, len);
        synchronized (writing) {
            tally += withDict - without;
            if (++checks < CHECK_WINDOW) {
                return;
            }
            if (tally > 0 && forWriting == dict) {
                forWriting = null;
                outgrown = true;
            }
            checks = 0;
            tally = 0;
        }
    }

    /** Whether this writer stopped using the dictionary because blobs came out larger with it. */
    boolean outgrown() {
        return outgrown;
    }

    /**
     * A small blob that compressed without a dictionary: kept as a sample while this writer
     * gathers them; the one that completes the samples trains and stores the dictionary.
     */
    void sample(byte[] data, int off, int len) throws IOException {
        if (!gathering) {
            return;
        }
        List<byte[]> full;
        synchronized (writing) {
            if (!gathering) {
                return;
            }
            samples.add(Arrays.copyOfRange(data, off, off + len));
            sampled += len;
            if (sampled < SAMPLE_BYTES || samples.size() < MIN_SAMPLES) {
                return;
            }
            full = samples;
            samples = null;
            gathering = false;
        }
        train(full);
    }

    /**
     * The level small blobs are compressed at with the dictionary: 1 where the repository's level is
     * a fast one (2 or 3), as for row text, its own otherwise. With the dictionary, level 1 takes
     * the {@code uploads} set's 838 MB of small files to 540.2 MB in 1.55 s (level 2: 538.8 MB in
     * 1.9 s; level 2 without a dictionary: 546.7 MB in 1.43 s).
     */
    private int level() {
        return Repository.rowLevel(repo.blobLevel());
    }

    private ZstdDictCompress dictionaryForWriting() throws IOException {
        if (!looked) {
            synchronized (writing) {
                if (!looked) {
                    if (mayTrain) {
                        List<Stored> stored = load();
                        if (stored.isEmpty()) {
                            gathering = true;
                        } else {
                            // Concurrent first backups may each have stored one: all are read, one is used.
                            Stored first = stored.stream().min(Comparator.comparing(Stored::name)).orElseThrow();
                            forWriting = new ZstdDictCompress(first.dict(), level());
                        }
                    }
                    looked = true;
                }
            }
        }
        return forWriting;
    }

    private void train(List<byte[]> samples) throws IOException {
        long total = 0;
        for (byte[] s : samples) {
            total += s.length;
        }
        byte[] dict;
        try {
            ZstdDictTrainer trainer = new ZstdDictTrainer((int) total, SIZE);
            for (byte[] s : samples) {
                trainer.addSample(s);
            }
            dict = trainer.trainSamples();
        } catch (ZstdException | IllegalArgumentException untrainable) {
            // Samples too alike or too few to learn from: this writer goes on without one.
            return;
        }
        int id = (int) Zstd.getDictIdFromDict(dict);
        if (id == 0) {
            return;
        }
        byte[] stored = repo.sealer.seal(dict);
        repo.storage.save(new Handle(Kind.DICT, Sha256.hex(stored)), Payload.of(stored));
        forReading.putIfAbsent(id, new ZstdDictDecompress(dict));
        forWriting = new ZstdDictCompress(dict, level());
    }

    /**
     * The context that decompresses {@code frame}: {@code plainContext} when it names no dictionary,
     * else this thread's context holding the dictionary it names.
     *
     * @throws MissingDictionaryException when it names a dictionary the repository does not hold
     */
    ZstdDecompressCtx decompressorFor(ZstdDecompressCtx plainContext, byte[] frame, int frameLength, BlobId blob,
                                      String packId) throws IOException {
        int id = frameDictionaryId(frame, frameLength);
        if (id == 0) {
            return plainContext;
        }
        ZstdDictDecompress dict = dictionaryForReading(id, blob, packId);
        Loaded<ZstdDecompressCtx> d = DECOMPRESSOR.get();
        if (d.dict != dict) {
            d.ctx.loadDict(dict);
            d.dict = dict;
        }
        return d.ctx;
    }

    private ZstdDictDecompress dictionaryForReading(int id, BlobId blob, String packId) throws IOException {
        ZstdDictDecompress dict = forReading.get(id);
        if (dict != null) {
            return dict;
        }
        if (!missing.contains(id)) {
            synchronized (forReading) {
                if (!forReading.containsKey(id)) {
                    load();
                }
            }
            dict = forReading.get(id);
            if (dict != null) {
                return dict;
            }
            missing.add(id);
        }
        throw new MissingDictionaryException(hexId(id), "blob " + blob + " in pack " + packId
                + " is compressed with zstd dictionary " + hexId(id) + ", which repository '" + repo.storage.location()
                + "' does not hold under dicts/; a copy of the repository has it (copy its dicts/ folder back)");
    }

    /** A frame names a dictionary the repository does not hold (intact): the blob cannot be read. */
    static final class MissingDictionaryException extends RepositoryCorruptException {
        private final String dictionary;

        MissingDictionaryException(String dictionary, String message) {
            super(message);
            this.dictionary = dictionary;
        }

        /** The dictionary id, 8 hex. */
        String dictionary() {
            return dictionary;
        }
    }

    /** A dictionary as stored: its object name and the dictionary bytes. */
    record Stored(String name, int id, byte[] dict) {
    }

    /** Reads every dictionary the repository holds that is intact, and registers it for reading. */
    private List<Stored> load() throws IOException {
        List<Stored> out = new ArrayList<>();
        for (FileInfo f : Repository.list(repo.storage, Kind.DICT)) {
            try {
                Stored s = open(repo, f.handle().name(), repo.storage.readAll(f.handle()));
                forReading.putIfAbsent(s.id(), new ZstdDictDecompress(s.dict()));
                out.add(s);
            } catch (ObjectNotFoundException | RepositoryCorruptException gone) {
                // removed meanwhile, or damaged: 'rk verify' reports it; frames that need it fail
            }
        }
        return out;
    }

    /**
     * Checks and opens a stored dictionary: named by the SHA-256 of its bytes, authentic, a zstd
     * dictionary with an id.
     */
    static Stored open(Repository repo, String name, byte[] stored) throws RepositoryCorruptException {
        String where = "dictionary dicts/" + name + " of repository '" + repo.storage.location() + "'";
        if (!Sha256.hex(stored).equals(name)) {
            throw new RepositoryCorruptException(where + " does not match its name: it is damaged");
        }
        byte[] dict;
        try {
            dict = repo.sealer.open(stored);
        } catch (AEADBadTagException e) {
            throw new RepositoryCorruptException(where + " does not authenticate with the master key");
        }
        if (dict.length < 8 || littleEndianInt(dict, 0) != DICT_MAGIC || littleEndianInt(dict, 4) == 0) {
            throw new RepositoryCorruptException(where + " is not a zstd dictionary");
        }
        return new Stored(name, littleEndianInt(dict, 4), dict);
    }

    /**
     * The dictionary id a zstd frame names in its header (RFC 8878 §3.1.1.1), 0 for none or when
     * {@code frame} is not a frame (the decompressor then reports it).
     */
    static int frameDictionaryId(byte[] frame, int length) {
        if (length < 6 || littleEndianInt(frame, 0) != 0xFD2FB528) {
            return 0;
        }
        int descriptor = frame[4] & 0xFF;
        int at = 5 + ((descriptor & 0x20) != 0 ? 0 : 1);
        int size = switch (descriptor & 3) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 2;
            default -> 4;
        };
        if (at + size > length) {
            return 0;
        }
        int id = 0;
        for (int i = size - 1; i >= 0; i--) {
            id = (id << 8) | (frame[at + i] & 0xFF);
        }
        return id;
    }

    static String hexId(int id) {
        return String.format("%08x", id);
    }

    private static int littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
