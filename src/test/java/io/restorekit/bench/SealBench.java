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
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
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
    private SecretKeySpec key;
    private Cipher gcm;

    @Setup
    public void setUp() {
        sealer = new Sealer(BenchData.random(6, 32));
        plain = BenchData.random(7, BenchData.MIB);
        sealed = sealer.seal(plain);
        out = new byte[plain.length + Sealer.OVERHEAD];
        key = new SecretKeySpec(BenchData.random(6, 32), "AES");
        try {
            gcm = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public int seal() {
        return sealer.seal(plain, 0, plain.length, out, 0);
    }

    @Benchmark
    public byte[] open() throws AEADBadTagException {
        return sealer.open(sealed);
    }

    /** The JDK's own GCM decryption in one call, for comparison with {@link #open()}. */
    @Benchmark
    public int openJdkGcm() throws GeneralSecurityException {
        gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, Sealer.NONCE));
        return gcm.doFinal(sealed, Sealer.NONCE, sealed.length - Sealer.NONCE, out, 0);
    }
}
