package io.restorekit.bench;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.repository.crypto.Sealer;
import io.restorekit.repository.pack.PackWriter;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Pack writing (ops/s = MiB/s): sealing 1 MiB blobs into a 16 MiB pack and finishing it (header,
 * SHA-256 name), and the whole blob path of a backup, {@code Repository.saveBlob} (chunk id,
 * dedup check, compression or its sample test, sealing, packing, the pack writer thread), into a
 * storage that discards what it is given.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PackBench {
    private static final int BLOBS = 16;
    private Sealer sealer;
    private byte[] random;
    private byte[] text;
    private byte[] packBuffer;
    private Repository repository;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        sealer = new Sealer(BenchData.random(8, 32));
        random = BenchData.random(9, BenchData.MIB);
        text = BenchData.text(10, BenchData.MIB);
        packBuffer = new byte[(BLOBS + 1) * BenchData.MIB];
        repository = Repository.init(new DiscardingStorage(), "bench".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 16 << 20));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        repository.close();
    }

    @Benchmark
    @OperationsPerInvocation(BLOBS)
    public String packWriter() {
        PackWriter w = new PackWriter(BlobType.DATA, packBuffer);
        for (int i = 0; i < BLOBS; i++) {
            w.seal(new BlobId(i, 0, 0, 0), sealer, random, 0, random.length, 0);
        }
        PackWriter.FinishedPack p = w.finish(sealer);
        packBuffer = p.buffer();
        return p.id();
    }

    @Benchmark
    public Repository.SaveResult saveBlobRandom() throws IOException {
        return save(random);
    }

    @Benchmark
    public Repository.SaveResult saveBlobText() throws IOException {
        return save(text);
    }

    private Repository.SaveResult save(byte[] data) throws IOException {
        // A new first word per call: every blob is new (no deduplication).
        ByteBuffer.wrap(data).putLong(++counter);
        return repository.saveBlob(BlobType.DATA, data, 0, data.length);
    }

    /** Keeps small objects (config, keys, index files), drops packs after reading nothing of them. */
    static final class DiscardingStorage implements Storage {
        private final ConcurrentHashMap<Handle, byte[]> small = new ConcurrentHashMap<>();

        @Override
        public String location() {
            return "discard:";
        }

        @Override
        public void save(Handle handle, Payload payload) throws IOException {
            if (handle.kind() != Kind.PACK && handle.kind() != Kind.INDEX) {
                try (InputStream in = payload.open()) {
                    small.put(handle, in.readAllBytes());
                }
            }
        }

        @Override
        public InputStream open(Handle handle, long offset, long length) throws IOException {
            byte[] b = small.get(handle);
            if (b == null) {
                throw new ObjectNotFoundException(handle + " is not kept");
            }
            long end = length < 0 ? b.length : offset + length;
            return new java.io.ByteArrayInputStream(b, (int) offset, (int) (end - offset));
        }

        @Override
        public FileInfo stat(Handle handle) throws IOException {
            byte[] b = small.get(handle);
            if (b == null) {
                throw new ObjectNotFoundException(handle + " is not kept");
            }
            return new FileInfo(handle, b.length);
        }

        @Override
        public void list(Kind kind, Consumer<FileInfo> each) {
            small.forEach((h, b) -> {
                if (h.kind() == kind) {
                    each.accept(new FileInfo(h, b.length));
                }
            });
        }

        @Override
        public void remove(Handle handle) {
            small.remove(handle);
        }
    }
}
