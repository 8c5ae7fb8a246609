package io.restorekit.bench;

import io.restorekit.repository.crypto.KeyedHash;
import io.restorekit.repository.crypto.Sha256;
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

import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/** Chunk ids (HMAC-SHA-256 with the mac key) and pack names (SHA-256) over 1 MiB: ops/s = MiB/s. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class HashBench {
    private byte[] data;
    private KeyedHash keyed;
    private MessageDigest sha;

    @Setup
    public void setUp() {
        data = BenchData.random(2, BenchData.MIB);
        keyed = new KeyedHash(BenchData.random(3, 32));
        sha = Sha256.newDigest();
    }

    @Benchmark
    public byte[] chunkId() {
        return keyed.hash(data, 0, data.length);
    }

    @Benchmark
    public byte[] sha256() {
        Sha256.update(sha, data, 0, data.length);
        return sha.digest();
    }
}
