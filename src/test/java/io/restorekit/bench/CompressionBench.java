package io.restorekit.bench;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.restorekit.repository.crypto.Envelope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * zstd at the repository's level on 1 MiB blobs (ops/s = MiB/s): text compresses, random bytes do
 * not (the repository tests a 64 KiB sample first: {@code sampleRandom} is what an incompressible
 * blob costs before it is stored as is).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CompressionBench {
    private byte[] text;
    private byte[] random;
    private byte[] frame;
    private byte[] out;
    private byte[] plain;
    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;

    @Setup
    public void setUp() {
        text = BenchData.text(4, BenchData.MIB);
        random = BenchData.random(5, BenchData.MIB);
        compressor = new ZstdCompressCtx().setLevel(Envelope.LEVEL);
        decompressor = new ZstdDecompressCtx();
        out = new byte[(int) Zstd.compressBound(BenchData.MIB)];
        int n = compressor.compressByteArray(out, 0, out.length, text, 0, text.length);
        frame = java.util.Arrays.copyOf(out, n);
        plain = new byte[BenchData.MIB];
    }

    @TearDown
    public void tearDown() {
        compressor.close();
        decompressor.close();
    }

    @Benchmark
    public int compressText() {
        return compressor.compressByteArray(out, 0, out.length, text, 0, text.length);
    }

    @Benchmark
    public int compressRandom() {
        return compressor.compressByteArray(out, 0, out.length, random, 0, random.length);
    }

    @Benchmark
    public int sampleRandom() {
        int sample = 64 << 10;
        return compressor.compressByteArray(out, 0, out.length, random, (random.length - sample) / 2, sample);
    }

    @Benchmark
    public int decompressText() {
        return decompressor.decompressByteArray(plain, 0, plain.length, frame, 0, frame.length);
    }
}
