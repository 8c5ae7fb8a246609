package io.restorekit.bench;

import io.restorekit.source.postgres.RowScanner;
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

import java.util.concurrent.TimeUnit;

/**
 * The COPY text stream parser of database backups (row count, tenant count, row digest) over
 * 16 MiB fed in 64 KiB pieces as they come from the server: ops/s = MiB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CopyParserBench {
    private static final int SIZE = 16 * BenchData.MIB;
    private static final int PIECE = 64 << 10;
    private byte[] copy;

    @Setup
    public void setUp() {
        copy = BenchData.copyText(12, SIZE);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public String rowScannerWithTenant() {
        return scan(1);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public String rowScanner() {
        return scan(-1);
    }

    private String scan(int tenantField) {
        RowScanner s = new RowScanner(tenantField);
        for (int p = 0; p < copy.length; p += PIECE) {
            s.update(copy, p, Math.min(PIECE, copy.length - p));
        }
        return s.digest();
    }
}
