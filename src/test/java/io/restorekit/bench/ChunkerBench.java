package io.restorekit.bench;

import io.restorekit.repository.chunk.Chunker;
import io.restorekit.repository.chunk.FastCdc;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** FastCDC over 64 MiB in memory with the repository's default sizes; one op is one MiB (ops/s = MiB/s). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ChunkerBench {
    private static final int SIZE = 64 * BenchData.MIB;
    private byte[] data;
    private long[] gear;
    private byte[] buffer;

    @Setup
    public void setUp() {
        data = BenchData.random(1, SIZE);
        gear = FastCdc.gearTable("bench");
        buffer = new byte[FastCdc.bufferSize(FastCdc.DEFAULT_MAX)];
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public long fastCdc() throws IOException {
        Chunker c = new FastCdc(new ByteArrayInputStream(data), gear, FastCdc.DEFAULT_MIN, FastCdc.DEFAULT_AVG,
                FastCdc.DEFAULT_MAX, buffer);
        long sum = 0;
        for (Chunker.Slice s = c.nextSlice(); s != null; s = c.nextSlice()) {
            sum += s.length();
        }
        return sum;
    }
}
