package io.restorekit.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Deterministic inputs for the microbenchmarks: incompressible bytes, text-like bytes, COPY text. */
final class BenchData {
    static final int MIB = 1 << 20;

    private BenchData() {
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Words and newlines: compresses about 3:1 with zstd -3, like logs and documents. */
    static byte[] text(long seed, int size) {
        Random r = new Random(seed);
        String[] words = {"invoice", "tenant", "the", "backup", "restore", "of", "a", "ledger", "row", "42",
                "customer", "amount", "2026-11-22", "status", "paid", "open", "reference"};
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(8) == 0 ? '\n' : ' ');
            if (r.nextInt(16) == 0) {
                sb.append(r.nextInt(1_000_000));
            }
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** PostgreSQL COPY text rows (tab-separated, about 110 bytes a row), tenant in column 1. */
    static byte[] copyText(long seed, int size) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(size + 256);
        long id = 1;
        while (sb.length() < size) {
            sb.append(id++).append('\t').append(1 + r.nextInt(20)).append('\t')
                    .append("INV-").append(r.nextInt(10_000_000)).append('\t')
                    .append(r.nextInt(100_000)).append('.').append(r.nextInt(100)).append('\t')
                    .append(r.nextBoolean() ? "paid" : "open").append('\t')
                    .append("2026-").append(1 + r.nextInt(12)).append('-').append(1 + r.nextInt(28))
                    .append(" 12:").append(10 + r.nextInt(50)).append(":00+00\t")
                    .append(r.nextInt(4) == 0 ? "\\N" : "customer reference " + r.nextInt(99_999))
                    .append('\n');
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
}
