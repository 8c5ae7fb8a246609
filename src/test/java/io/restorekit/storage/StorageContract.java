package io.restorekit.storage;

import io.restorekit.common.Hex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract of {@link Storage} that every backend passes. A backend's test extends this class
 * and only says how to make a fresh, empty storage.
 */
public abstract class StorageContract {
    private static final int MIB = 1024 * 1024;

    /** A folder that a subclass may use for its storage; fresh for each test. */
    @TempDir
    protected Path tempDir;

    protected Storage storage;

    /** A fresh, empty storage; closed after each test. */
    protected abstract Storage newStorage() throws Exception;

    /**
     * Whether concurrent saves of one name are guaranteed to let exactly one win. Backends that can
     * only check-then-publish (file systems without hard links) override this with false; they
     * still never show a partial object.
     */
    protected boolean exclusiveSave() {
        return true;
    }

    @BeforeEach
    void makeStorage() throws Exception {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() throws IOException {
        if (storage != null) {
            storage.close();
        }
    }

    // ---- helpers shared by backend-specific tests

    /** Deterministic bytes for a seed. */
    protected static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A handle named by the SHA-256 of {@code content}, as the repository names its objects. */
    protected static Handle handleFor(Kind kind, byte[] content) {
        if (kind == Kind.CONFIG) {
            return Handle.config();
        }
        try {
            return new Handle(kind, Hex.encode(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A payload that is not {@link Payload.Bytes}, so backends take their streaming path. */
    protected static Payload streamed(byte[] content) {
        return new Payload() {
            @Override
            public long length() {
                return content.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(content);
            }
        };
    }

    /** A payload that breaks with an IOException after {@code afterBytes} of its bytes. */
    protected static Payload breakingAfter(byte[] content, int afterBytes) {
        return new Payload() {
            @Override
            public long length() {
                return content.length;
            }

            @Override
            public InputStream open() {
                return new InputStream() {
                    private int position;

                    @Override
                    public int read() throws IOException {
                        if (position >= afterBytes) {
                            throw new IOException("source broke after " + afterBytes + " bytes");
                        }
                        return content[position++] & 0xff;
                    }
                };
            }
        };
    }

    protected static Map<Handle, Long> listAll(Storage storage, Kind kind) throws IOException {
        Map<Handle, Long> found = new HashMap<>();
        storage.list(kind, info -> {
            Long previous = found.put(info.handle(), info.size());
            assertThat(previous).as("listed twice: %s", info.handle()).isNull();
        });
        return found;
    }

    private static byte[] read(Storage storage, Handle handle, long offset, long length) throws IOException {
        try (InputStream in = storage.open(handle, offset, length)) {
            return in.readAllBytes();
        }
    }

    // ---- the contract

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 4097, 5 * MIB})
    @DisplayName("saves and reads back the same bytes, from memory and from a stream")
    void roundTrip(int size) throws IOException {
        byte[] inMemory = bytes(size, size);
        byte[] fromStream = bytes(size, size + 1L);
        Handle first = handleFor(Kind.PACK, inMemory);
        Handle second = handleFor(Kind.INDEX, fromStream);

        storage.save(first, Payload.of(inMemory));
        storage.save(second, streamed(fromStream));

        assertThat(storage.readAll(first)).isEqualTo(inMemory);
        assertThat(storage.readAll(second)).isEqualTo(fromStream);
        assertThat(storage.stat(first)).isEqualTo(new FileInfo(first, size));
        assertThat(storage.stat(second).size()).isEqualTo(size);
    }

    @Test
    @DisplayName("cleanup of leftovers never touches an object")
    void cleanupLeavesObjectsAlone() throws Exception {
        byte[] content = bytes(5000, 77);
        Handle pack = handleFor(Kind.PACK, content);
        storage.save(pack, Payload.of(content));
        storage.save(Handle.config(), Payload.of(bytes(10, 78)));
        assertThat(storage.cleanup(java.time.Instant.now().plusSeconds(86_400))).isGreaterThanOrEqualTo(0);
        assertThat(storage.readAll(pack)).isEqualTo(content);
        assertThat(storage.readAll(Handle.config())).isEqualTo(bytes(10, 78));
    }

    @Test
    @DisplayName("saves every kind, the config included")
    void everyKind() throws IOException {
        for (Kind kind : Kind.values()) {
            byte[] content = bytes(100 + kind.ordinal(), kind.ordinal());
            Handle handle = handleFor(kind, content);
            storage.save(handle, Payload.of(content));
            assertThat(storage.readAll(handle)).isEqualTo(content);
        }
    }

    @Test
    @DisplayName("never overwrites: a second save of a name fails and keeps the first content")
    void noOverwrite() throws IOException {
        byte[] original = bytes(1000, 1);
        Handle handle = new Handle(Kind.SNAPSHOT, "0123abcd");
        storage.save(handle, Payload.of(original));

        assertThatThrownBy(() -> storage.save(handle, Payload.of(bytes(1000, 2))))
                .isInstanceOf(ObjectExistsException.class)
                .hasMessageContaining(handle.path());
        assertThatThrownBy(() -> storage.save(handle, streamed(bytes(5, 3))))
                .isInstanceOf(ObjectExistsException.class);

        assertThat(storage.readAll(handle)).isEqualTo(original);
        storage.save(Handle.config(), Payload.of(bytes(10, 5)));
        assertThatThrownBy(() -> storage.save(Handle.config(), Payload.of(bytes(10, 6))))
                .isInstanceOf(ObjectExistsException.class);
        assertThat(storage.readAll(Handle.config())).isEqualTo(bytes(10, 5));
    }

    @Test
    @DisplayName("reading, sizing or ranging a missing object fails with ObjectNotFoundException")
    void missing() {
        Handle missing = new Handle(Kind.INDEX, "ffee00");
        assertThatThrownBy(() -> storage.open(missing, 0, -1)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> storage.open(missing, 10, 5)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> storage.stat(missing))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(missing.path());
        assertThatThrownBy(() -> storage.readAll(missing)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> storage.stat(Handle.config())).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    @DisplayName("reads ranges at the start, in the middle and at the end")
    void ranges() throws IOException {
        byte[] content = bytes(MIB + 17, 7);
        Handle handle = handleFor(Kind.PACK, content);
        storage.save(handle, Payload.of(content));
        int size = content.length;

        assertThat(read(storage, handle, 0, 10)).isEqualTo(Arrays.copyOfRange(content, 0, 10));
        assertThat(read(storage, handle, 500_000, 70_000)).isEqualTo(Arrays.copyOfRange(content, 500_000, 570_000));
        assertThat(read(storage, handle, size - 33, 33)).isEqualTo(Arrays.copyOfRange(content, size - 33, size));
        assertThat(read(storage, handle, size - 33, -1)).isEqualTo(Arrays.copyOfRange(content, size - 33, size));
        assertThat(read(storage, handle, 12345, -1)).isEqualTo(Arrays.copyOfRange(content, 12345, size));
        assertThat(read(storage, handle, 0, size)).isEqualTo(content);
        assertThat(read(storage, handle, size, 0)).isEmpty();
        assertThat(read(storage, handle, 100, 0)).isEmpty();
    }

    @Test
    @DisplayName("a range beyond the end of the object fails")
    void rangeOutOfBounds() throws IOException {
        byte[] content = bytes(1000, 8);
        Handle handle = handleFor(Kind.PACK, content);
        storage.save(handle, Payload.of(content));

        assertThatThrownBy(() -> read(storage, handle, 990, 11)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read(storage, handle, 1001, -1)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read(storage, handle, 2000, 1)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read(storage, handle, -1, 10)).isInstanceOf(IOException.class);
    }

    @Test
    @DisplayName("lists each kind separately, packs spread over data/xx/ included")
    void listPerKind() throws IOException {
        Map<Kind, Map<Handle, Long>> expected = new HashMap<>();
        for (Kind kind : Kind.values()) {
            expected.put(kind, new HashMap<>());
        }
        int seed = 0;
        for (Kind kind : Kind.values()) {
            int count = kind == Kind.CONFIG ? 1 : kind == Kind.PACK ? 40 : 3;
            for (int i = 0; i < count; i++) {
                byte[] content = bytes(10 + seed, seed++);
                Handle handle = handleFor(kind, content);
                storage.save(handle, Payload.of(content));
                expected.get(kind).put(handle, (long) content.length);
            }
        }
        assertThat(expected.get(Kind.PACK).keySet().stream().map(h -> h.name().substring(0, 2)).distinct().count())
                .as("packs in several data/xx/ folders").isGreaterThan(10);

        for (Kind kind : Kind.values()) {
            assertThat(listAll(storage, kind)).as("list of %s", kind).isEqualTo(expected.get(kind));
        }
    }

    @Test
    @DisplayName("lists nothing in an empty storage")
    void listEmpty() throws IOException {
        for (Kind kind : Kind.values()) {
            assertThat(listAll(storage, kind)).isEmpty();
        }
    }

    @Test
    @DisplayName("removes objects; removing a missing one is not an error; the name can be used again")
    void remove() throws IOException {
        byte[] content = bytes(300, 9);
        Handle handle = new Handle(Kind.LOCK, "aa11");
        Handle other = new Handle(Kind.LOCK, "aa12");
        storage.save(handle, Payload.of(content));
        storage.save(other, Payload.of(content));

        storage.remove(handle);
        storage.remove(handle);
        storage.remove(new Handle(Kind.PACK, "cafe"));

        assertThatThrownBy(() -> storage.stat(handle)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(listAll(storage, Kind.LOCK)).containsOnlyKeys(other);
        storage.save(handle, Payload.of(bytes(5, 10)));
        assertThat(storage.readAll(handle)).isEqualTo(bytes(5, 10));
    }

    @Test
    @DisplayName("50 objects saved from 4 threads at once all arrive whole")
    void concurrentSaves() throws Exception {
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            contents.add(bytes(1000 + i * 3000, 100 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (byte[] content : contents) {
                futures.add(pool.submit(() -> {
                    start.await();
                    storage.save(handleFor(Kind.PACK, content), streamed(content));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<Handle, Long> listed = listAll(storage, Kind.PACK);
        assertThat(listed).hasSize(50);
        for (byte[] content : contents) {
            Handle handle = handleFor(Kind.PACK, content);
            assertThat(listed).containsEntry(handle, (long) content.length);
            assertThat(storage.readAll(handle)).isEqualTo(content);
        }
    }

    @Test
    @DisplayName("concurrent saves of one name never mix contents")
    void concurrentSavesOfOneName() throws Exception {
        Handle handle = new Handle(Kind.LOCK, "0000race");
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            contents.add(bytes(200_000, 1000 + i));
        }
        AtomicInteger saved = new AtomicInteger();
        Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < contents.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        storage.save(handle, streamed(contents.get(index)));
                        saved.incrementAndGet();
                    } catch (IOException e) {
                        failures.put(index, e);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures.values()).allMatch(e -> e instanceof ObjectExistsException, "all ObjectExists");
        assertThat(saved.get()).isGreaterThanOrEqualTo(1);
        if (exclusiveSave()) {
            assertThat(saved.get()).isEqualTo(1);
        }
        byte[] stored = storage.readAll(handle);
        assertThat(contents).anyMatch(c -> Arrays.equals(c, stored));
        assertThat(listAll(storage, Kind.LOCK)).containsOnlyKeys(handle);
    }

    @Test
    @DisplayName("a payload that breaks midway leaves no object, and the name stays free")
    void brokenPayload() throws IOException {
        byte[] content = bytes(300_000, 11);
        Handle handle = handleFor(Kind.PACK, content);

        assertThatThrownBy(() -> storage.save(handle, breakingAfter(content, 150_000)))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(ObjectExistsException.class);

        assertThatThrownBy(() -> storage.stat(handle)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(listAll(storage, Kind.PACK)).isEmpty();
        storage.save(handle, Payload.of(content));
        assertThat(storage.readAll(handle)).isEqualTo(content);
    }

    @Test
    @DisplayName("a payload shorter than its declared length leaves no object")
    void shortPayload() {
        byte[] content = bytes(1000, 12);
        Handle handle = handleFor(Kind.INDEX, content);
        Payload lying = new Payload() {
            @Override
            public long length() {
                return 2000;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(content);
            }
        };

        assertThatThrownBy(() -> storage.save(handle, lying)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.stat(handle)).isInstanceOf(ObjectNotFoundException.class);
    }
}
