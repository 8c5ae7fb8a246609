package io.restorekit.bench;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdDictTrainer;
import io.restorekit.source.files.FilesFixtures;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Small business documents (a few KiB of JSON each, {@link FilesFixtures#invoice}) compressed as
 * the repository compresses small data blobs: with its dictionary at level 1, against level 2
 * without one (what a repository without a dictionary does), and decompressed with it. One
 * operation is one document; the {@code bytesIn}/{@code bytesOut} counters give the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class DictionaryBench {
    private static final int DOCUMENTS = 512;

    private final List<byte[]> documents = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    private byte[] out;
    private byte[] plain;
    private ZstdCompressCtx plainCompressor;
    private ZstdCompressCtx dictCompressor;
    private ZstdDecompressCtx dictDecompressor;
    private int next;

    /** Sizes of what went in and came out, per iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sizes {
        public long bytesIn;
        public long bytesOut;

        @Setup(Level.Iteration)
        public void clear() {
            bytesIn = 0;
            bytesOut = 0;
        }
    }

    @Setup
    public void setUp() {
        // Trained as a repository trains it: on the first 2 MiB of small documents.
        Random r = new Random(1);
        ZstdDictTrainer trainer = new ZstdDictTrainer(3 << 20, 64 << 10);
        for (long sampled = 0; sampled < 2 << 20; ) {
            byte[] doc = FilesFixtures.invoice(r);
            trainer.addSample(doc);
            sampled += doc.length;
        }
        byte[] dict = trainer.trainSamples();
        plainCompressor = new ZstdCompressCtx().setLevel(2);
        dictCompressor = new ZstdCompressCtx().setLevel(1);
        dictCompressor.loadDict(new ZstdDictCompress(dict, 1));
        dictDecompressor = new ZstdDecompressCtx();
        dictDecompressor.loadDict(new ZstdDictDecompress(dict));
        out = new byte[1 << 20];
        plain = new byte[1 << 20];
        for (int i = 0; i < DOCUMENTS; i++) {
            byte[] doc = FilesFixtures.invoice(r);
            documents.add(doc);
            frames.add(java.util.Arrays.copyOf(out, dictCompressor.compressByteArray(out, 0, out.length, doc, 0,
                    doc.length)));
        }
    }

    @TearDown
    public void tearDown() {
        plainCompressor.close();
        dictCompressor.close();
        dictDecompressor.close();
    }

    private int nextIndex() {
        next = (next + 1) % DOCUMENTS;
        return next;
    }

    @Benchmark
    public int compressLevel2(Sizes sizes) {
        return compress(plainCompressor, sizes);
    }

    @Benchmark
    public int compressDictionaryLevel1(Sizes sizes) {
        return compress(dictCompressor, sizes);
    }

    private int compress(ZstdCompressCtx compressor, Sizes sizes) {
        byte[] doc = documents.get(nextIndex());
        int n = compressor.compressByteArray(out, 0, out.length, doc, 0, doc.length);
        sizes.bytesIn += doc.length;
        sizes.bytesOut += n;
        return n;
    }

    @Benchmark
    public int decompressDictionary() {
        int i = nextIndex();
        byte[] frame = frames.get(i);
        return dictDecompressor.decompressByteArray(plain, 0, documents.get(i).length, frame, 0, frame.length);
    }
}
