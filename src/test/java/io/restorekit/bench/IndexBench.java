package io.restorekit.bench;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.index.MemoryIndex;
import io.restorekit.repository.pack.PackEntry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Index lookups (ops/s = lookups/s) in an index of {@code blobs} data blobs, 16 per pack. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class IndexBench {
    @Param({"1000000"})
    public int blobs;

    private MemoryIndex index;
    private BlobId[] present;
    private BlobId[] absent;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(11);
        index = new MemoryIndex();
        present = new BlobId[blobs];
        List<PackEntry> entries = new ArrayList<>(16);
        for (int i = 0; i < blobs; i++) {
            present[i] = new BlobId(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
            entries.add(new PackEntry(BlobType.DATA, present[i], (i % 16) << 20, 1 << 20, 0));
            if (entries.size() == 16) {
                index.add(String.format("%064x", i), entries);
                entries = new ArrayList<>(16);
            }
        }
        index.add(String.format("%064x", blobs), entries);
        absent = new BlobId[1 << 16];
        for (int i = 0; i < absent.length; i++) {
            absent[i] = new BlobId(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
        }
    }

    @Benchmark
    public boolean hasPresent() {
        next = (next + 7919) % present.length;
        return index.has(BlobType.DATA, present[next]);
    }

    @Benchmark
    public boolean hasAbsent() {
        next = (next + 1) & (absent.length - 1);
        return index.has(BlobType.DATA, absent[next]);
    }

    @Benchmark
    public MemoryIndex.Found find() {
        next = (next + 7919) % present.length;
        return index.find(BlobType.DATA, present[next]);
    }
}
