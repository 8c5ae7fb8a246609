package io.restorekit.bench;

import io.restorekit.repository.crypto.Sealer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import javax.crypto.AEADBadTagException;
import java.util.concurrent.TimeUnit;

/** AES-256-GCM sealing and opening of 1 MiB blobs (ops/s = MiB/s). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SealBench {
    private Sealer sealer;
    private byte[] plain;
    private byte[] sealed;
    private byte[] out;

    @Setup
    public void setUp() {
        sealer = new Sealer(BenchData.random(6, 32));
        plain = BenchData.random(7, BenchData.MIB);
        sealed = sealer.seal(plain);
        out = new byte[plain.length + Sealer.OVERHEAD];
    }

    @Benchmark
    public int seal() {
        return sealer.seal(plain, 0, plain.length, out, 0);
    }

    @Benchmark
    public byte[] open() throws AEADBadTagException {
        return sealer.open(sealed);
    }
}
