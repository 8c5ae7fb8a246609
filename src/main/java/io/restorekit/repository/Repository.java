package io.restorekit.repository;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.chunk.Chunker;
import io.restorekit.repository.chunk.FastCdc;
import io.restorekit.repository.crypto.Envelope;
import io.restorekit.repository.crypto.KeyFile;
import io.restorekit.repository.crypto.KeyedHash;
import io.restorekit.repository.crypto.MasterKey;
import io.restorekit.repository.crypto.Sealer;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.repository.index.IndexFile;
import io.restorekit.repository.index.MemoryIndex;
import io.restorekit.repository.pack.PackEntry;
import io.restorekit.repository.pack.PackHeader;
import io.restorekit.repository.pack.PackWriter;
import io.restorekit.repository.pack.PackWriter.FinishedPack;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;

import javax.crypto.AEADBadTagException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A content-addressed, encrypted, deduplicating store on a {@link Storage}
 * (docs/repository-format.md). Knows nothing of files, databases or tenants: it stores blobs,
 * snapshot manifests and locks.
 *
 * <p>Blob saving is thread-safe: callers (one per core) hash, compress and seal in their own
 * thread; finished packs are written by a background writer. {@link #flush()} waits until
 * everything saved so far is in packs and named by an index file; only then may a snapshot that
 * refers to those blobs be saved (write ordering).
 */
public final class Repository implements Closeable {
    /** An index file is written after this many packs, so an interrupted backup's blobs are reused. */
    static final int PACKS_PER_INDEX = 8;
    /** Pack saves in flight at once on a remote storage. */
    static final int REMOTE_PACK_WRITES = 4;
    private static final int SAMPLE = 64 << 10;
    private static final int MIN_SAMPLE = 4 << 10;
    private static final int TREE_CACHE_ENTRIES = 256;
    private static final int READ_THREADS = 8;
    private static final int IO_PIECE = 1 << 20;
    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{6,64}");

    private static final ThreadLocal<ZstdCompressCtx> COMPRESSOR =
            ThreadLocal.withInitial(ZstdCompressCtx::new);
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSOR = ThreadLocal.withInitial(ZstdDecompressCtx::new);
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);
    private static final ThreadLocal<BlobBuffers> BUFFERS = ThreadLocal.withInitial(BlobBuffers::new);

    final Storage storage;
    final RepositoryConfig config;
    final Sealer sealer;
    final Clock clock;
    private final int blobLevel;
    private final Dictionaries dictionaries;
    final ObjectMapper json;
    private final SnapshotCache snapshotCache;
    private final Object snapshotListing = new Object();
    final MasterKey masterKey;
    private final KeyedHash keyedHash;
    private final long[] gear;
    volatile KeyFile currentKey;
    volatile String currentKeyId;

    private final MemoryIndex index = new MemoryIndex();
    // The index files the in-memory index was loaded from (and those written by this process).
    private final Set<String> loadedIndexes = ConcurrentHashMap.newKeySet();
    // Blobs of packs prune has marked for deletion: readable, never deduplicated against.
    private final MemoryIndex retired = new MemoryIndex();
    private final List<String> damagedIndexes = Collections.synchronizedList(new ArrayList<>());
    private final Map<BlobType, Set<BlobId>> inFlight = Map.of(
            BlobType.DATA, ConcurrentHashMap.newKeySet(), BlobType.TREE, ConcurrentHashMap.newKeySet());
    private final Map<BlobType, Object> packLocks = Map.of(BlobType.DATA, new Object(), BlobType.TREE, new Object());
    private final Map<BlobType, PackWriter> openPacks = new ConcurrentHashMap<>();
    // Data packs are written from their working buffer, which then serves the next pack: a fresh
    // 16 MiB array per pack costs a full collection in a small heap. Their number is bounded (see
    // dataPackBuffers): a backup that fills packs faster than they are stored waits for one.
    private final BlockingQueue<byte[]> spareDataBuffers = new LinkedBlockingQueue<>();
    private final Semaphore dataPackPermits;
    private final AtomicInteger dataBuffersMade = new AtomicInteger();
    private final Map<BlobId, byte[]> treeCache = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<BlobId, byte[]> eldest) {
                    return size() > TREE_CACHE_ENTRIES;
                }
            });
    private final PackUploader uploader;
    final Locks locks;
    private volatile boolean closed;

    private Repository(Storage storage, RepositoryConfig config, MasterKey masterKey, KeyFile currentKey,
                       String currentKeyId, Clock clock, ObjectMapper json) {
        this.storage = storage;
        this.config = config;
        this.blobLevel = config.blobLevel();
        this.dictionaries = new Dictionaries(this, config.version() >= RepositoryConfig.DICTIONARY_VERSION);
        this.masterKey = masterKey;
        this.sealer = new Sealer(masterKey.encrypt());
        this.keyedHash = new KeyedHash(masterKey.mac());
        this.gear = FastCdc.gearTable(Hex.decode(config.chunker().gearSeed()));
        this.currentKey = currentKey;
        this.currentKeyId = currentKeyId;
        this.clock = clock;
        this.json = json;
        this.snapshotCache = new SnapshotCache(sealer, json);
        this.dataPackPermits = new Semaphore(dataPackBuffers(storage));
        this.uploader = new PackUploader();
        this.locks = new Locks(this);
    }

    /** The JSON mapping of manifests, config and locks: kebab-case names, ISO times, unknown fields ignored. */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Creates a new repository; fails when {@code storage} already holds one. */
    public static Repository init(Storage storage, char[] password, RepositoryOptions options) throws IOException {
        return init(storage, password, options, Clock.systemUTC());
    }

    static Repository init(Storage storage, char[] password, RepositoryOptions options, Clock clock)
            throws IOException {
        if (exists(storage)) {
            throw new RepositoryExistsException("a repository already exists at '" + storage.location()
                    + "'; open it, or choose another location for a new one");
        }
        Instant now = clock.instant();
        MasterKey masterKey = MasterKey.generate();
        KeyFile key = KeyFile.create(masterKey, password, options.kdf(), host(), user(), now);
        String keyId = saveKeyFile(storage, key);
        SecureRandom random = new SecureRandom();
        RepositoryConfig config = new RepositoryConfig(RepositoryConfig.VERSION, randomHex(random), now,
                new RepositoryConfig.ChunkerParams(FastCdc.DEFAULT_MIN, FastCdc.DEFAULT_AVG, FastCdc.DEFAULT_MAX,
                        randomHex(random)),
                options.packSize(), "zstd:" + RepositoryConfig.BLOB_LEVEL);
        Sealer sealer = new Sealer(masterKey.encrypt());
        // The config is written last: it is what makes the location a repository.
        storage.save(Handle.config(), Payload.of(Envelope.wrap(sealer, objectMapper().writeValueAsBytes(config))));
        return new Repository(storage, config, masterKey, key, keyId, clock, objectMapper());
    }

    /** Opens an existing repository; {@link WrongPasswordException} when no key opens with it. */
    public static Repository open(Storage storage, char[] password) throws IOException {
        return open(storage, password, Clock.systemUTC());
    }

    static Repository open(Storage storage, char[] password, Clock clock) throws IOException {
        if (!exists(storage)) {
            throw new RepositoryNotFoundException("there is no repository at '" + storage.location()
                    + "'; check the location, or create one with 'rk init'");
        }
        List<FileInfo> keys = list(storage, Kind.KEY);
        OpenPrefetch prefetch = OpenPrefetch.start(storage);
        MasterKey masterKey = null;
        KeyFile usedKey = null;
        String usedKeyId = null;
        for (FileInfo info : keys) {
            KeyFile file;
            try {
                file = KeyFile.parse(storage.readAll(info.handle()));
            } catch (ObjectNotFoundException e) {
                continue;
            } catch (IOException | RuntimeException e) {
                continue;
            }
            try {
                masterKey = file.open(password);
                usedKey = file;
                usedKeyId = info.handle().name();
                break;
            } catch (AEADBadTagException wrong) {
                // try the next key
            }
        }
        if (masterKey == null) {
            throw new WrongPasswordException("wrong password for repository '" + storage.location()
                    + "': no key of its " + keys.size() + " keys opens with it");
        }
        Sealer sealer = new Sealer(masterKey.encrypt());
        OpenPrefetch.Result early = prefetch.result();
        ObjectMapper json = early.json() != null ? early.json() : objectMapper();
        RepositoryConfig config;
        try {
            byte[] stored = early.config() != null ? early.config() : storage.readAll(Handle.config());
            config = json.readValue(Envelope.unwrap(sealer, stored), RepositoryConfig.class);
        } catch (AEADBadTagException e) {
            throw new RepositoryCorruptException("the config of repository '" + storage.location()
                    + "' does not authenticate with its master key: it is damaged or was replaced");
        }
        if (config.version() < 1 || config.version() > RepositoryConfig.VERSION) {
            throw new RepositoryCorruptException("repository '" + storage.location() + "' has format version "
                    + config.version() + ", which this restorekit does not know; use a newer restorekit");
        }
        // A key marked append-only makes every deletion through this process fail (locks excepted).
        Storage view = usedKey.isAppendOnly() && !io.restorekit.storage.decorator.AppendOnlyStorage.isAppendOnly(storage)
                ? new io.restorekit.storage.decorator.AppendOnlyStorage(storage) : storage;
        Repository repo = new Repository(view, config, masterKey, usedKey, usedKeyId, clock, json);
        try {
            repo.loadIndex(early.indexes());
        } catch (IOException | RuntimeException e) {
            repo.uploader.stop();
            throw e;
        }
        return repo;
    }

    /** Whether {@code storage} holds a repository (its config object exists). */
    public static boolean exists(Storage storage) throws IOException {
        try {
            storage.stat(Handle.config());
            return true;
        } catch (ObjectNotFoundException e) {
            return false;
        }
    }

    public Storage storage() {
        return storage;
    }

    /** The repository id (64 hex). */
    public String id() {
        return config.id();
    }

    public RepositoryConfig config() {
        return config;
    }

    /** A content-defined chunker with this repository's secret parameters over {@code in}. */
    public Chunker chunker(InputStream in) {
        RepositoryConfig.ChunkerParams p = config.chunker();
        return new FastCdc(in, gear, p.min(), p.avg(), p.max());
    }

    /**
     * A chunker that works in {@code buffer}, which it grows as its chunks need: one buffer per
     * thread, reused file after file, instead of a fresh one per stream.
     */
    public Chunker chunker(InputStream in, byte[] buffer) {
        RepositoryConfig.ChunkerParams p = config.chunker();
        return new FastCdc(in, gear, p.min(), p.avg(), p.max(), buffer);
    }

    /** The keyed id of {@code data[off, off+len)}. */
    public BlobId blobId(byte[] data, int off, int len) {
        return BlobId.of(keyedHash.hash(data, off, len));
    }

    /** Whether the blob is stored (or being stored by this process). */
    public boolean has(BlobType type, BlobId id) {
        return index.has(type, id) || inFlight.get(type).contains(id);
    }

    /**
     * Whether the blob can be read: it is indexed, or held by a pack prune has marked for deletion
     * (a snapshot written by a backup that overlapped that prune needs it; the next prune indexes it
     * again). Backups never deduplicate against the latter.
     */
    public boolean canRead(BlobType type, BlobId id) {
        return has(type, id) || retired.has(type, id);
    }

    /** The pack holding the blob (indexed, or marked by prune), or null when none does. */
    public String packOf(BlobType type, BlobId id) {
        MemoryIndex.Found found = index.find(type, id);
        if (found == null) {
            found = retired.find(type, id);
        }
        return found == null ? null : found.packId();
    }

    /**
     * Stores a blob unless the repository already has it. Thread-safe.
     *
     * @return its id, and the bytes added (0 when deduplicated)
     */
    public SaveResult saveBlob(BlobType type, byte[] data, int off, int len) throws IOException {
        return saveBlob(type, data, off, len, Content.ANY);
    }

    /** What a blob holds, for how it is compressed; readers do not depend on it. */
    public enum Content {
        /** Anything: compressed at the repository's level when a sample of it shows that pays. */
        ANY,
        /**
         * Database row text (COPY and LOAD DATA lines). It always compresses, so no sample is
         * tried first, and zstd's level 1 compresses it as well as levels 2 and 3 (bench data:
         * the MariaDB dump 7.09× against 7.02× and 6.53×, PostgreSQL {@code audit_log} 6.72×
         * against 6.48× and 5.78×, {@code documents} 6.04× against 6.11× and 6.05×) at a quarter to
         * a half more speed: level 1 where the repository's level is one of those fast ones,
         * its own level where it asks for more.
         */
        ROWS
    }

    /**
     * Stores a blob unless the repository already has it, compressed as suits {@code content}.
     * Thread-safe.
     *
     * @return its id, and the bytes added (0 when deduplicated)
     */
    public SaveResult saveBlob(BlobType type, byte[] data, int off, int len, Content content) throws IOException {
        checkOpen();
        uploader.rethrow();
        BlobId id = blobId(data, off, len);
        Set<BlobId> pending = inFlight.get(type);
        if (index.has(type, id) || !pending.add(id)) {
            return new SaveResult(id, false, len, 0);
        }
        if (index.has(type, id)) {
            pending.remove(id);
            return new SaveResult(id, false, len, 0);
        }
        PackWriter full = null;
        int stored;
        try {
            ToSeal payload = toSeal(type, data, off, len, content);
            synchronized (packLocks.get(type)) {
                PackWriter writer = openPacks.get(type);
                if (writer == null) {
                    writer = newPackWriter(type);
                    openPacks.put(type, writer);
                }
                stored = writer.seal(id, sealer, payload.bytes(), payload.off(), payload.len(), payload.rawLength());
                if (writer.size() >= config.packSize()) {
                    openPacks.remove(type);
                    full = writer;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            pending.remove(id);
            throw e;
        }
        if (full != null) {
            finishPack(full);
        }
        return new SaveResult(id, true, len, stored);
    }

    private PackWriter newPackWriter(BlobType type) throws IOException {
        if (type != BlobType.DATA) {
            return new PackWriter(type, config.packSize());
        }
        try {
            while (!dataPackPermits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                uploader.rethrow();
                checkOpen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a pack to be stored");
        }
        byte[] spare = spareDataBuffers.poll();
        if (spare != null) {
            return new PackWriter(type, spare);
        }
        dataBuffersMade.incrementAndGet();
        return new PackWriter(type, config.packSize());
    }

    /** Data pack buffers allocated so far (each serves pack after pack). */
    int dataBuffersMade() {
        return dataBuffersMade.get();
    }

    /**
     * Data packs in memory at once, filling, queued or being stored. On a local file system one is
     * being filled while the one before is hashed and another written: a pack is stored (page
     * cache, ~1 GB/s) much faster than it fills (~300 MB/s from two cores), and more buffers only
     * held memory (six 18 MiB buffers live in a files backup, a third of its heap). On a remote
     * storage, where the saves take longer and vary more, the depth the writer always had: the
     * parallel saves, one pack waiting for a save, two queued and one filling.
     */
    static int dataPackBuffers(Storage storage) {
        return storage.capabilities().localPath() ? 3 : REMOTE_PACK_WRITES + 4;
    }

    /** The data pack buffers this repository holds at most: see {@link #dataPackBuffers(Storage)}. */
    public int dataPackBuffers() {
        return dataPackBuffers(storage);
    }

    /** A data pack's buffer is free again: stored, or dropped with the save that failed. */
    private void releaseDataBuffer(FinishedPack pack) {
        if (pack.entries().get(0).type() == BlobType.DATA) {
            spareDataBuffers.offer(pack.buffer());
            dataPackPermits.release();
        }
    }

    private void finishPack(PackWriter writer) throws IOException {
        FinishedPack pack = writer.finish(sealer);
        try {
            uploader.submit(pack);
        } catch (IOException | RuntimeException | Error e) {
            releaseDataBuffer(pack);
            throw e;
        }
    }

    /** What gets sealed: the blob itself, or its zstd frame in this thread's scratch buffer. */
    private record ToSeal(byte[] bytes, int off, int len, int rawLength) {
    }

    /** This thread's compressor at {@code level} (a context keeps the level it was last given). */
    private static ZstdCompressCtx compressor(int level) {
        return COMPRESSOR.get().setLevel(level);
    }

    /** This repository's zstd dictionaries (see {@link Dictionaries}). */
    Dictionaries dictionaries() {
        return dictionaries;
    }

    /** The zstd level data and tree blobs are written with. */
    int blobLevel() {
        return blobLevel;
    }

    /** The zstd level of row text: see {@link Content#ROWS}. */
    static int rowLevel(int blobLevel) {
        return blobLevel <= 3 ? 1 : blobLevel;
    }

    /**
     * The blob as it is sealed. Tree blobs (directory listings, database manifests) are compressed
     * as {@link Content#ROWS} are, whatever the caller says: JSON whose ids and hashes are random
     * hex, in blobs of a few KiB, which zstd's level 1 makes smaller than levels 2 and 3 (the
     * {@code uploads} set's 1,701 directory listings: 3.55 MB of tree pack against 3.68 MB at level 2).
     * Small data blobs are compressed with the repository's dictionary once it has one, and until
     * then train it (see {@link Dictionaries}).
     */
    private ToSeal toSeal(BlobType type, byte[] data, int off, int len, Content content) throws IOException {
        boolean rows = content == Content.ROWS || type == BlobType.TREE;
        if (!rows && !worthCompressing(data, off, len)) {
            return new ToSeal(data, off, len, 0);
        }
        byte[] dst = scratch((int) Zstd.compressBound(len));
        boolean small = !rows && type == BlobType.DATA && len <= Dictionaries.MAX_BLOB;
        int compressed = small ? dictionaries.compress(dst, data, off, len) : -1;
        boolean sample = small && compressed < 0;
        if (compressed < 0) {
            compressed = compressor(rows ? rowLevel(blobLevel) : blobLevel)
                    .compressByteArray(dst, 0, dst.length, data, off, len);
        }
        if (compressed > len - len / 32) {
            return new ToSeal(data, off, len, 0);
        }
        if (sample) {
            dictionaries.sample(data, off, len);
        }
        return new ToSeal(dst, 0, compressed, len);
    }

    /**
     * This thread's compression output, at least {@code bound} bytes. It grows by half at least,
     * up to what the largest chunk needs: grown to each larger chunk's exact bound, it was
     * allocated again for most of a backup's first chunks (a 4 M-row MySQL backup: 17 MiB of
     * arrays, each straight into the old generation).
     */
    private byte[] scratch(int bound) {
        byte[] dst = SCRATCH.get();
        if (dst.length < bound) {
            long largest = Zstd.compressBound(config.chunker().max());
            dst = new byte[(int) Math.max(bound, Math.min(largest, dst.length + (dst.length >> 1)))];
            SCRATCH.set(dst);
        }
        return dst;
    }

    // A sample from the middle that does not shrink by about 5% means the whole will not pay for
    // zstd either: an eighth of the blob, at least 4 KiB and at most 64 KiB. Small blobs (photos,
    // archives: often whole files of tens of KiB) are worth testing too.
    private boolean worthCompressing(byte[] data, int off, int len) {
        if (len <= 4 * MIN_SAMPLE) {
            return true;
        }
        int sample = Math.min(SAMPLE, Math.max(MIN_SAMPLE, len / 8));
        byte[] dst = scratch((int) Zstd.compressBound(SAMPLE));
        int compressed = compressor(blobLevel).compressByteArray(dst, 0, dst.length, data, off + (len - sample) / 2,
                sample);
        return compressed <= sample - sample / 20;
    }

    /** Reads, authenticates and decompresses a blob; checks its id. */
    public byte[] loadBlob(BlobType type, BlobId id) throws IOException {
        checkOpen();
        if (type == BlobType.TREE) {
            byte[] cached = treeCache.get(id);
            if (cached != null) {
                return cached.clone();
            }
        }
        MemoryIndex.Found found = locate(type, id);
        PackEntry e = found.entry();
        byte[] sealed = new byte[e.storedLength()];
        readSealed(found, sealed);
        byte[] plain = decodeBlob(found.packId(), e, sealed, 0);
        if (type == BlobType.TREE) {
            treeCache.put(id, plain.clone());
        }
        return plain;
    }

    /** Receives a blob's plaintext, {@code data[off, off+len)}: valid only during the call. */
    public interface BlobConsumer {
        void accept(byte[] data, int off, int len) throws IOException;
    }

    /**
     * Reads, authenticates and decompresses a blob, checks its id, and hands the plaintext to
     * {@code consumer} in buffers this thread reuses blob after blob: no allocation per blob, for
     * callers that consume the plaintext at once (restores writing files).
     */
    public void readBlob(BlobType type, BlobId id, BlobConsumer consumer) throws IOException {
        checkOpen();
        MemoryIndex.Found found = locate(type, id);
        PackEntry e = found.entry();
        BlobBuffers b = BUFFERS.get();
        byte[] sealed = b.sealed(e.storedLength());
        readSealed(found, sealed);
        decodeInto(found.packId(), e, sealed, 0, b, consumer);
    }

    private MemoryIndex.Found locate(BlobType type, BlobId id) throws IOException {
        MemoryIndex.Found found = index.find(type, id);
        if (found == null && inFlight.get(type).contains(id)) {
            flush();
            found = index.find(type, id);
        }
        if (found == null) {
            found = retired.find(type, id);
        }
        if (found == null) {
            throw new RepositoryCorruptException(type.name().toLowerCase(Locale.ROOT) + " blob " + id
                    + " is not in the index of repository '" + storage.location()
                    + "'; run 'rk verify' to see what it affects (an index rebuild may find it in a pack)");
        }
        return found;
    }

    // Fills sealed[0, storedLength) from the pack: one array of the known size, filled in reads of
    // one bounded size (readAllBytes reads 16 KiB at a time and copies the pieces together; a
    // channel given reads of every size up to 8 MiB allocates and frees a temporary direct buffer
    // for most of them).
    private void readSealed(MemoryIndex.Found found, byte[] sealed) throws IOException {
        PackEntry e = found.entry();
        Handle pack = new Handle(Kind.PACK, found.packId());
        int length = e.storedLength();
        try (InputStream in = storage.open(pack, e.offset(), length)) {
            int done = 0;
            while (done < length) {
                int n = in.read(sealed, done, Math.min(IO_PIECE, length - done));
                if (n < 0) {
                    throw new RepositoryCorruptException("pack " + found.packId() + " in repository '"
                            + storage.location() + "' ends before a blob the index places in it; run 'rk verify'");
                }
                done += n;
            }
        } catch (ObjectNotFoundException missing) {
            throw new RepositoryCorruptException("pack " + found.packId() + " holding blob " + e.id()
                    + " is missing from repository '" + storage.location() + "'; run 'rk verify'", missing);
        }
    }

    /**
     * Opens, decompresses and checks one blob read from {@code bytes[at..]}; IOException only when
     * the dictionary its frame names cannot be read from the storage.
     */
    byte[] decodeBlob(String packId, PackEntry e, byte[] bytes, int at) throws IOException {
        byte[][] out = new byte[1][];
        decodeInto(packId, e, bytes, at, null, (data, off, len) -> out[0] = data);
        return out[0];
    }

    /**
     * Opens, decompresses and checks one blob read from {@code bytes[at..]} and hands the plaintext
     * to {@code consumer}: in {@code buffers} when given (reused), else in arrays of its own size.
     */
    void decodeInto(String packId, PackEntry e, byte[] bytes, int at, BlobBuffers buffers, BlobConsumer consumer)
            throws IOException {
        int payloadLength = e.storedLength() - Sealer.OVERHEAD;
        if (payloadLength < 0) {
            throw new RepositoryCorruptException("blob " + e.id() + " in pack " + packId + " of repository '"
                    + storage.location() + "' fails authentication: the pack is damaged; run 'rk verify --read-data'");
        }
        byte[] payload = buffers != null ? buffers.payload(payloadLength) : new byte[payloadLength];
        try {
            sealer.open(bytes, at, e.storedLength(), payload, 0);
        } catch (AEADBadTagException bad) {
            throw new RepositoryCorruptException("blob " + e.id() + " in pack " + packId + " of repository '"
                    + storage.location() + "' fails authentication: the pack is damaged; run 'rk verify --read-data'");
        }
        byte[] plain = payload;
        int plainLength = payloadLength;
        if (e.rawLength() > 0) {
            plainLength = e.rawLength();
            plain = buffers != null ? buffers.plain(plainLength) : new byte[plainLength];
            ZstdDecompressCtx decompressor = dictionaries.decompressorFor(DECOMPRESSOR.get(), payload, payloadLength,
                    e.id(), packId);
            int n;
            try {
                n = decompressor.decompressByteArray(plain, 0, plainLength, payload, 0, payloadLength);
            } catch (RuntimeException bad) {
                throw new RepositoryCorruptException("blob " + e.id() + " in pack " + packId
                        + " does not decompress: " + bad.getMessage());
            }
            if (n != plainLength) {
                throw new RepositoryCorruptException("blob " + e.id() + " in pack " + packId + " decompresses to "
                        + n + " bytes, not " + plainLength);
            }
        }
        if (!blobId(plain, 0, plainLength).equals(e.id())) {
            throw new RepositoryCorruptException("blob " + e.id() + " in pack " + packId + " of repository '"
                    + storage.location() + "' holds other content than its id says; run 'rk verify --read-data'");
        }
        consumer.accept(plain, 0, plainLength);
    }

    /**
     * One thread's working arrays for reading blobs, grown to the largest blob met and then reused.
     * They stay with the thread: restore and verify threads live as long as their operation.
     */
    static final class BlobBuffers {
        private byte[] sealed = new byte[0];
        private byte[] payload = new byte[0];
        private byte[] plain = new byte[0];

        byte[] sealed(int length) {
            if (sealed.length < length) {
                sealed = new byte[grown(length)];
            }
            return sealed;
        }

        byte[] payload(int length) {
            if (payload.length < length) {
                payload = new byte[grown(length)];
            }
            return payload;
        }

        byte[] plain(int length) {
            if (plain.length < length) {
                plain = new byte[grown(length)];
            }
            return plain;
        }

        // Chunks are at most 8 MiB (plus the seal): steps of 1 MiB keep the arrays few and close to need.
        private static int grown(int length) {
            return (int) Math.min(Integer.MAX_VALUE - 16, ((long) length + IO_PIECE - 1) / IO_PIECE * IO_PIECE);
        }
    }

    /** Writes every open pack and an index naming them; waits until they are stored. */
    public void flush() throws IOException {
        checkOpen();
        uploader.rethrow();
        for (BlobType type : BlobType.values()) {
            PackWriter writer;
            synchronized (packLocks.get(type)) {
                writer = openPacks.remove(type);
            }
            if (writer != null && !writer.isEmpty()) {
                finishPack(writer);
            } else if (writer != null && type == BlobType.DATA) {
                dataPackPermits.release();
            }
        }
        uploader.barrier();
        uploader.rethrow();
    }

    /** Saves a manifest, after flushing every blob saved so far; returns it with its id. */
    public Snapshot saveSnapshot(Snapshot snapshot) throws IOException {
        flush();
        byte[] body = json.writeValueAsBytes(snapshot.withId(null));
        byte[] stored = Envelope.wrap(sealer, body);
        String id = Sha256.hex(stored);
        storage.save(new Handle(Kind.SNAPSHOT, id), Payload.of(stored));
        snapshotCache.put(id, body, null);
        return snapshot.withId(id);
    }

    /** Loads a snapshot by full id or unique prefix (at least 6 hex characters). */
    public Snapshot loadSnapshot(String idOrPrefix) throws IOException {
        checkOpen();
        String prefix = idOrPrefix == null ? "" : idOrPrefix.trim().toLowerCase(Locale.ROOT);
        if (!HEX_PREFIX.matcher(prefix).matches()) {
            throw new SnapshotNotFoundException("'" + idOrPrefix + "' is not a snapshot id: give at least 6 hex"
                    + " characters of one (see 'rk snapshots')");
        }
        if (prefix.length() == 64) {
            try {
                return readSnapshot(prefix);
            } catch (ObjectNotFoundException e) {
                throw new SnapshotNotFoundException("snapshot " + prefix + " does not exist in repository '"
                        + storage.location() + "'; see 'rk snapshots'");
            }
        }
        List<String> ids = list(storage, Kind.SNAPSHOT).stream().map(f -> f.handle().name()).toList();
        return readSnapshot(resolvePrefix(prefix, ids, storage.location()));
    }

    /** The one id starting with {@code prefix}; {@link SnapshotNotFoundException} when none or several do. */
    static String resolvePrefix(String prefix, List<String> ids, String location) {
        List<String> matches = new ArrayList<>();
        for (String id : ids) {
            if (id.startsWith(prefix)) {
                matches.add(id);
            }
        }
        if (matches.isEmpty()) {
            throw new SnapshotNotFoundException("no snapshot in repository '" + location
                    + "' has an id starting with '" + prefix + "'; see 'rk snapshots'");
        }
        if (matches.size() > 1) {
            Collections.sort(matches);
            int shownLength = Math.max(12, prefix.length() + 2);
            List<String> shown = matches.stream().limit(5).map(m -> m.substring(0, shownLength)).toList();
            throw new SnapshotNotFoundException("snapshot id prefix '" + prefix + "' is ambiguous: it matches "
                    + matches.size() + " snapshots (" + String.join(", ", shown)
                    + (matches.size() > 5 ? ", ..." : "") + "); give more characters");
        }
        return matches.get(0);
    }

    Snapshot loadSnapshotById(String id) throws IOException {
        return readSnapshot(id);
    }

    private Snapshot readSnapshot(String id) throws IOException {
        return parseSnapshot(id, readSnapshotBody(id));
    }

    private Snapshot parseSnapshot(String id, byte[] body) throws IOException {
        return SnapshotJson.read(body, json).withId(id);
    }

    /** The plaintext JSON of manifest {@code id}, authenticated and checked against its name. */
    private byte[] readSnapshotBody(String id) throws IOException {
        byte[] stored = storage.readAll(new Handle(Kind.SNAPSHOT, id));
        if (!Sha256.hex(stored).equals(id)) {
            throw new RepositoryCorruptException("snapshot " + id + " in repository '" + storage.location()
                    + "' does not match its name (SHA-256): it is damaged");
        }
        try {
            return Envelope.unwrap(sealer, stored);
        } catch (AEADBadTagException e) {
            throw new RepositoryCorruptException("snapshot " + id + " in repository '" + storage.location()
                    + "' fails authentication: it is damaged or not from this repository");
        }
    }

    /**
     * Keeps the manifests read from this repository in {@code cacheDir}{@code /<repository id>/}
     * (e.g. {@code RK_HOME/cache}) as well as in this process, so that {@link #snapshots()} reads
     * only the ones it has not seen; see {@link SnapshotCache}.
     */
    public void cacheSnapshotsIn(Path cacheDir) {
        snapshotCache.useFolder(cacheDir == null ? null : cacheDir.resolve(id().substring(0, 16)));
    }

    /**
     * Every snapshot, oldest first. Lists the snapshot folder every time; reads only the manifests
     * not read before by this process or, with {@link #cacheSnapshotsIn}, this host.
     */
    public List<Snapshot> snapshots() throws IOException {
        checkOpen();
        // One listing at a time: a second caller (a command while its start-up thread lists) waits
        // and then finds the manifests the first one read, instead of requesting them again.
        synchronized (snapshotListing) {
            return listSnapshots();
        }
    }

    private List<Snapshot> listSnapshots() throws IOException {
        List<String> ids = list(storage, Kind.SNAPSHOT).stream().map(f -> f.handle().name()).toList();
        List<Snapshot> all = new ArrayList<>(ids.size());
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            Snapshot known = snapshotCache.get(id);
            if (known != null) {
                all.add(known);
            } else {
                missing.add(id);
            }
        }
        List<byte[]> bodies = inParallel(missing, this::readSnapshotBody);
        for (int i = 0; i < missing.size(); i++) {
            Snapshot s = parseSnapshot(missing.get(i), bodies.get(i));
            snapshotCache.put(missing.get(i), bodies.get(i), s);
            all.add(s);
        }
        snapshotCache.retain(ids);
        List<Snapshot> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparing(Snapshot::time, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Snapshot::id));
        return sorted;
    }

    /** Takes a lock; {@link RepositoryLockedException} naming the holder when it conflicts. */
    public RepositoryLock lock(LockRequest request) throws IOException {
        checkOpen();
        return locks.lock(request);
    }

    /** Every readable lock in the repository, oldest first, each marked stale or live. */
    public List<LockInfo> locks() throws IOException {
        return locks.locks();
    }

    /** Removes stale locks (for {@code rk unlock}); returns how many. */
    public int removeStaleLocks() throws IOException {
        return locks.removeStale();
    }

    /**
     * Removes the stale locks (for {@code rk unlock}) and returns them; live ones are never removed
     * here. A lock is stale when it was not refreshed for 30 minutes, or when it was written on this
     * host by a process that no longer runs.
     */
    public List<LockInfo> unlockStale() throws IOException {
        List<LockInfo> removed = new ArrayList<>();
        for (LockInfo l : locks.locks()) {
            if (l.stale()) {
                storage.remove(new Handle(Kind.LOCK, l.id()));
                removed.add(l);
            }
        }
        return removed;
    }

    /** Removes every lock, live or not (for {@code rk unlock --remove-all}); returns how many. */
    public int removeAllLocks() throws IOException {
        int n = 0;
        for (LockInfo l : locks.locks()) {
            storage.remove(new Handle(Kind.LOCK, l.id()));
            n++;
        }
        return n;
    }

    /**
     * Whether this repository refuses deletions here: its storage is append-only, or it was opened
     * with an append-only key. Forget and prune refuse to run then.
     */
    public boolean appendOnly() {
        return io.restorekit.storage.decorator.AppendOnlyStorage.isAppendOnly(storage)
                || (currentKey != null && currentKey.isAppendOnly());
    }

    /** Removes a snapshot manifest (forget); its data stays until prune. Callers hold an exclusive lock. */
    public void removeSnapshot(String id) throws IOException {
        checkOpen();
        checkDeletable();
        storage.remove(new Handle(Kind.SNAPSHOT, id));
    }

    /**
     * Deletes what no snapshot needs, in two phases (docs/repository-format.md §9a): packs whose
     * blobs are not in {@code used} are taken out of the index and marked; a later prune, at least
     * {@link PruneOptions#grace()} later, deletes them. Mostly unused packs are repacked first.
     * Callers hold an exclusive lock and computed {@code used} under it, from every snapshot.
     */
    public PruneReport prune(BlobSet used, PruneOptions options, ProgressListener progress) throws IOException {
        checkOpen();
        if (!options.dryRun()) {
            checkDeletable();
        }
        flush();
        try {
            return new Pruner(this).prune(used, options, progress);
        } finally {
            if (!options.dryRun()) {
                reloadIndex();
            }
        }
    }

    /** Packs marked by prune and awaiting deletion, with the time each was marked. */
    public Map<String, Instant> packsAwaitingDeletion() throws IOException {
        Map<String, Instant> out = new LinkedHashMap<>();
        for (Marks.Mark m : new Marks(this).list()) {
            m.packs().forEach(p -> out.putIfAbsent(p, m.time()));
        }
        return out;
    }

    private void checkDeletable() {
        if (appendOnly()) {
            throw new io.restorekit.common.RkException(io.restorekit.common.ErrorCode.NOT_PERMITTED, "repository '"
                    + storage.location() + "' is append-only here (" + (currentKey != null && currentKey.isAppendOnly()
                    ? "opened with an append-only key" : "retention.append-only is set")
                    + "): nothing may be deleted; run forget and prune from a host that is allowed to delete");
        }
    }

    /**
     * Brings the index up to date with storage: what other processes wrote since this one opened
     * the repository (index files it has not read are read; when one it had read is gone, all are
     * read again). Prune calls it once it holds its exclusive lock.
     */
    public void refreshIndex() throws IOException {
        checkOpen();
        flush();
        Set<String> now = new HashSet<>();
        for (FileInfo f : list(storage, Kind.INDEX)) {
            now.add(f.handle().name());
        }
        if (now.containsAll(loadedIndexes) && damagedIndexes.isEmpty()) {
            List<String> fresh = now.stream().filter(id -> !loadedIndexes.contains(id)).sorted().toList();
            if (fresh.isEmpty()) {
                return;
            }
            List<IndexFile> files = inParallel(fresh, this::readIndexFile);
            boolean supersedes = files.stream().anyMatch(f -> !f.superseded().isEmpty());
            if (!supersedes) {
                files.forEach(index::addAll);
                loadedIndexes.addAll(fresh);
                return;
            }
        }
        reloadIndex();
    }

    /** Reads the whole index again from storage. */
    public void reloadIndex() throws IOException {
        checkOpen();
        flush();
        loadedIndexes.clear();
        index.clear();
        retired.clear();
        damagedIndexes.clear();
        treeCache.clear();
        loadIndex(null);
    }

    /** The key derivation parameters of the key this repository was opened with. */
    public RepositoryOptions.KdfParams currentKdf() {
        return currentKey.kdfParams();
    }

    /** The passwords (key files) of this repository. */
    public KeyManager keys() {
        return new KeyManager(this);
    }

    /**
     * Checks the repository and reports every problem found, with the blobs each one affects.
     * Structure: index files read, every pack they name exists and is long enough, packs no index
     * names (warnings), snapshots decrypt. With {@code readData}: every pack matches its name, its
     * header decrypts and agrees with the index, every blob decrypts and matches its id.
     */
    public CheckReport check(boolean readData, ProgressListener progress) throws IOException {
        checkOpen();
        flush();
        return new RepositoryChecker(this).check(readData, progress);
    }

    /**
     * Recreates the index from the headers of every pack: writes one index file that supersedes
     * all existing ones, then removes those. Callers hold an exclusive lock.
     */
    public RebuildResult rebuildIndex(ProgressListener progress) throws IOException {
        checkOpen();
        flush();
        List<FileInfo> packs = list(storage, Kind.PACK);
        List<String> existing = list(storage, Kind.INDEX).stream().map(f -> f.handle().name()).toList();
        progress.total(-1, packs.size());
        List<String> unreadable = Collections.synchronizedList(new ArrayList<>());
        List<IndexFile.PackBlobs> read = inParallel(packs, f -> {
            try {
                List<PackEntry> entries = PackHeader.read(storage, f.handle(), f.size(), sealer);
                return new IndexFile.PackBlobs(f.handle().name(), entries);
            } catch (IOException | AEADBadTagException e) {
                unreadable.add(f.handle().name());
                progress.warn("pack " + f.handle().name() + " has no readable header (" + e.getMessage()
                        + "); its blobs are left out of the index");
                return null;
            } finally {
                progress.advance(0, 1);
            }
        });
        List<IndexFile.PackBlobs> usable = read.stream().filter(java.util.Objects::nonNull).toList();
        // The old index files may be the only record of where the blobs of a pack with a damaged
        // header are: then they stay, and the new index only adds to them.
        List<String> replaced = unreadable.isEmpty() ? existing : List.of();
        IndexFile rebuilt = new IndexFile(replaced, usable);
        saveIndexFile(rebuilt);
        for (String old : replaced) {
            storage.remove(new Handle(Kind.INDEX, old));
        }
        if (!replaced.isEmpty()) {
            index.clear();
            damagedIndexes.clear();
        }
        index.addAll(rebuilt);
        return new RebuildResult(usable.size(), rebuilt.blobCount(), replaced.size(), List.copyOf(unreadable));
    }

    /** Index files that could not be read when the repository was opened; their blobs are unknown. */
    public List<String> damagedIndexes() {
        return List.copyOf(damagedIndexes);
    }

    /** Stops the background writer after flushing what was saved. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (uploader.error.get() == null) {
                flush();
            }
        } finally {
            closed = true;
            uploader.stop();
        }
    }

    /** The outcome of saving one blob. */
    public record SaveResult(BlobId id, boolean added, long rawBytes, long storedBytes) {
    }

    // ---- index

    private void loadIndex(Map<String, byte[]> prefetched) throws IOException {
        List<String> ids = prefetched != null ? List.copyOf(prefetched.keySet())
                : list(storage, Kind.INDEX).stream().map(f -> f.handle().name()).toList();
        List<IndexFile> files = inParallel(ids, id -> {
            try {
                byte[] stored = prefetched != null ? prefetched.get(id) : null;
                return stored != null ? openIndexFile(id, stored) : readIndexFile(id);
            } catch (IOException | RepositoryCorruptException e) {
                damagedIndexes.add(id);
                return null;
            }
        });
        Set<String> superseded = new HashSet<>();
        for (IndexFile f : files) {
            if (f != null) {
                superseded.addAll(f.superseded());
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            if (files.get(i) != null && !superseded.contains(ids.get(i))) {
                index.addAll(files.get(i));
            }
        }
        loadedIndexes.addAll(ids);
        for (Marks.Mark m : new Marks(this).list()) {
            if (m.index() != null) {
                retired.addAll(m.index());
            }
        }
    }

    IndexFile readIndexFile(String id) throws IOException {
        return openIndexFile(id, storage.readAll(new Handle(Kind.INDEX, id)));
    }

    /** As {@link #readIndexFile}, from what the storage itself holds (no local copy): for checks. */
    IndexFile readIndexFileUncached(String id) throws IOException {
        return openIndexFile(id, storage.uncached().readAll(new Handle(Kind.INDEX, id)));
    }

    private IndexFile openIndexFile(String id, byte[] stored) throws IOException {
        if (!Sha256.hex(stored).equals(id)) {
            throw new RepositoryCorruptException("index file " + id + " does not match its name (SHA-256)");
        }
        try {
            return IndexFile.open(sealer, stored);
        } catch (AEADBadTagException e) {
            throw new RepositoryCorruptException("index file " + id + " fails authentication");
        }
    }

    String saveIndexFile(IndexFile file) throws IOException {
        byte[] stored = file.seal(sealer);
        String id = Sha256.hex(stored);
        storage.save(new Handle(Kind.INDEX, id), Payload.of(stored));
        loadedIndexes.add(id);
        return id;
    }

    MemoryIndex index() {
        return index;
    }

    // ---- helpers

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("repository '" + storage.location() + "' is closed");
        }
    }

    static List<FileInfo> list(Storage storage, Kind kind) throws IOException {
        List<FileInfo> out = Collections.synchronizedList(new ArrayList<>());
        storage.list(kind, out::add);
        return new ArrayList<>(out);
    }

    interface IoFunction<T, R> {
        R apply(T t) throws IOException;
    }

    /** Applies {@code f} to every item on a few threads (storage latency), results in input order. */
    static <T, R> List<R> inParallel(List<T> items, IoFunction<T, R> f) throws IOException {
        return inParallel(items, READ_THREADS, f);
    }

    /** As {@link #inParallel(List, IoFunction)} on at most {@code threads} threads. */
    static <T, R> List<R> inParallel(List<T> items, int threads, IoFunction<T, R> f) throws IOException {
        if (items.size() <= 1 || threads <= 1) {
            List<R> out = new ArrayList<>();
            for (T t : items) {
                out.add(f.apply(t));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, items.size()), r -> {
            Thread t = new Thread(r, "rk-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T t : items) {
                futures.add(pool.submit(() -> f.apply(t)));
            }
            List<R> out = new ArrayList<>(items.size());
            for (Future<R> fut : futures) {
                out.add(fut.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading repository objects");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        } finally {
            pool.shutdownNow();
        }
    }

    static String saveKeyFile(Storage storage, KeyFile key) throws IOException {
        byte[] bytes = key.toJson();
        String id = Sha256.hex(bytes);
        storage.save(new Handle(Kind.KEY, id), Payload.of(bytes));
        return id;
    }

    private static String randomHex(SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Hex.encode(b);
    }

    private static volatile String host;

    static String host() {
        String h = host;
        if (h == null) {
            h = System.getenv("HOSTNAME");
            if (h == null || h.isBlank()) {
                try {
                    h = InetAddress.getLocalHost().getHostName();
                } catch (IOException e) {
                    h = "localhost";
                }
            }
            host = h;
        }
        return h;
    }

    static String user() {
        return System.getProperty("user.name", "unknown");
    }

    /**
     * The background thread that stores full packs and writes index files. On a local file system
     * it stores one pack at a time; on a remote storage (S3, SFTP), where each save waits for the
     * network more than for this machine, it keeps up to {@link #REMOTE_PACK_WRITES} saves in
     * flight. An index file names only packs whose saves have ended, and a barrier waits for all.
     */
    private final class PackUploader {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
        private final AtomicReference<Throwable> error = new AtomicReference<>();
        private final List<IndexFile.PackBlobs> unindexed = new ArrayList<>();
        private final Thread thread;
        private final int writes;
        private final Semaphore slots;
        private final ExecutorService savers;

        private record Barrier(CompletableFuture<Void> done) {
        }

        private static final Object STOP = new Object();

        PackUploader() {
            writes = storage.capabilities().localPath() ? 1 : REMOTE_PACK_WRITES;
            slots = new Semaphore(writes);
            AtomicInteger n = new AtomicInteger();
            savers = writes == 1 ? null : Executors.newFixedThreadPool(writes, r -> {
                Thread t = new Thread(r, "rk-pack-save-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            thread = new Thread(this::run, "rk-pack-writer");
            thread.setDaemon(true);
            thread.start();
        }

        void submit(FinishedPack pack) throws IOException {
            put(pack);
        }

        void barrier() throws IOException {
            Barrier b = new Barrier(new CompletableFuture<>());
            put(b);
            try {
                b.done().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for packs to be stored");
            } catch (ExecutionException e) {
                throw new IOException(e.getCause());
            }
        }

        void rethrow() throws IOException {
            Throwable t = error.get();
            if (t == null) {
                return;
            }
            if (t instanceof IOException io) {
                throw new IOException("writing packs and index files to '" + storage.location() + "' failed: "
                        + io.getMessage(), io);
            }
            if (t instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(t);
        }

        void stop() {
            try {
                queue.put(STOP);
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (savers != null) {
                    savers.shutdownNow();
                }
            }
        }

        private void put(Object task) throws IOException {
            try {
                queue.put(task);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while handing a pack to the writer");
            }
        }

        private void run() {
            while (true) {
                Object task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (task == STOP) {
                    awaitSaves();
                    return;
                }
                try {
                    if (task instanceof FinishedPack pack) {
                        if (savers == null) {
                            try {
                                if (error.get() == null) {
                                    store(pack);
                                }
                            } finally {
                                releaseDataBuffer(pack);
                            }
                        } else {
                            try {
                                slots.acquire();
                            } catch (InterruptedException e) {
                                releaseDataBuffer(pack);
                                throw e;
                            }
                            savers.execute(() -> {
                                try {
                                    if (error.get() == null) {
                                        store(pack);
                                    }
                                } catch (Throwable t) {
                                    error.compareAndSet(null, t);
                                } finally {
                                    releaseDataBuffer(pack);
                                    slots.release();
                                }
                            });
                        }
                    } else if (task instanceof Barrier) {
                        awaitSaves();
                        if (error.get() == null) {
                            writeIndex();
                        }
                    }
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    if (task instanceof Barrier b) {
                        b.done().complete(null);
                    }
                }
            }
        }

        /** Waits until no pack save is in flight. */
        private void awaitSaves() {
            if (savers == null) {
                return;
            }
            slots.acquireUninterruptibly(writes);
            slots.release(writes);
        }

        private void store(FinishedPack pack) throws IOException {
            try {
                storage.save(new Handle(Kind.PACK, pack.id()), pack.payload());
            } catch (ObjectExistsException same) {
                // The name is the content's hash: the same pack is already stored.
            }
            synchronized (this) {
                index.add(pack.id(), pack.entries());
                for (PackEntry e : pack.entries()) {
                    inFlight.get(e.type()).remove(e.id());
                }
                unindexed.add(new IndexFile.PackBlobs(pack.id(), pack.entries()));
                if (unindexed.size() >= PACKS_PER_INDEX) {
                    writeIndex();
                }
            }
        }

        private synchronized void writeIndex() throws IOException {
            if (unindexed.isEmpty()) {
                return;
            }
            saveIndexFile(new IndexFile(List.of(), unindexed));
            unindexed.clear();
        }
    }
}
