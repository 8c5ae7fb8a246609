package io.restorekit.repository;

import io.restorekit.repository.chunk.Chunker;
import io.restorekit.storage.memory.InMemoryStorage;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures saveBlob throughput (id, dedup check, compression, sealing, packing) with two threads
 * into an InMemoryStorage, for random and for text-like data, and the chunker's speed. Run by
 * hand: {@code java -Xmx3g -cp ... io.restorekit.repository.RepositoryThroughput [MiB]}.
 */
public final class RepositoryThroughput {
    private static final int CHUNK = 1 << 20;

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        byte[] random = new byte[64 << 20];
        new Random(1).nextBytes(random);
        byte[] text = RepositoryTest.text(2, 64 << 20);

        measureChunker("random", random);
        for (int round = 0; round < 2; round++) {
            String label = round == 0 ? " (warm-up)" : "";
            measure("random" + label, random, mib);
            measure("text-like" + label, text, mib);
        }
    }

    private static void measureChunker(String label, byte[] data) throws Exception {
        try (Repository repo = Repository.init(new InMemoryStorage(), "x".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 16 << 20))) {
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                Chunker c = repo.chunker(new ByteArrayInputStream(data));
                int n = 0;
                while (c.next() != null) {
                    n++;
                }
                double s = (System.nanoTime() - start) / 1e9;
                report("chunker, " + label + ", 1 thread", data.length, s, n + " chunks");
            }
        }
    }

    private static void measure(String label, byte[] base, int mib) throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        try (Repository repo = Repository.init(storage, "x".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 16 << 20))) {
            AtomicLong next = new AtomicLong();
            AtomicLong stored = new AtomicLong();
            int chunks = mib;
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread thread = new Thread(() -> {
                    byte[] buf = new byte[CHUNK];
                    try {
                        for (long i = next.getAndIncrement(); i < chunks; i = next.getAndIncrement()) {
                            int at = (int) ((i * CHUNK) % base.length);
                            System.arraycopy(base, at, buf, 0, CHUNK);
                            ByteBuffer.wrap(buf).putLong(i); // every chunk unique: no dedup
                            stored.addAndGet(repo.saveBlob(BlobType.DATA, buf, 0, CHUNK).storedBytes());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join();
            }
            repo.flush();
            double s = (System.nanoTime() - start) / 1e9;
            report("saveBlob, " + label + ", 2 threads", (long) chunks * CHUNK, s,
                    String.format("stored %.0f%%", 100.0 * stored.get() / ((long) chunks * CHUNK)));
        }
    }

    @SuppressWarnings("java:S106")
    private static void report(String what, long bytes, double seconds, String note) {
        System.out.printf("%-40s %6.0f MiB in %6.2f s = %7.1f MB/s  (%s)%n", what, bytes / 1048576.0, seconds,
                bytes / 1e6 / seconds, note);
    }
}
