package io.restorekit.source.postgres;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryConfig;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.repository.chunk.Chunker;
import io.restorekit.repository.chunk.FastCdc;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Rows grouped by tenant")
class TenantChunksTest {
    private static final RepositoryOptions OPTIONS =
            new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20);

    @Test
    @DisplayName("thousands of interleaved tenants stay within the buffer budget, and each tenant's chunks hold exactly its rows")
    void manyTenants() throws IOException {
        int tenants = 8_000;
        int rowsPerTenant = 30;
        SplittableRandom random = new SplittableRandom(42);
        Map<String, ByteArrayOutputStream> expected = new HashMap<>();
        List<byte[]> rows = new ArrayList<>();
        // ~260 bytes a row, tenants interleaved the way a heap scan returns them: 62 MB in all,
        // far more than the budget, and every tenant has rows pending all the time.
        for (int r = 0; r < rowsPerTenant; r++) {
            for (int t = 0; t < tenants; t++) {
                String tenant = Integer.toString(t);
                StringBuilder text = new StringBuilder();
                text.append(r * tenants + t).append('\t');
                for (int k = 0; k < 250; k++) {
                    text.append((char) ('a' + random.nextInt(26)));
                }
                String row = text + "\n";
                expected.computeIfAbsent(tenant, k -> new ByteArrayOutputStream())
                        .writeBytes(row.getBytes(StandardCharsets.UTF_8));
                rows.add((text + "\t" + tenant + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        try (Repository repository = Repository.init(new InMemoryStorage(), "pw".toCharArray(), OPTIONS)) {
            TenantChunks chunks = new TenantChunks(repository, new RowScanner(-1), true, null, ProgressListener.NONE,
                    new TenantChunks.Buffers(1));
            int[] next = {0};
            TenantChunks.Result result = chunks.run(() -> next[0] < rows.size() ? rows.get(next[0]++) : null);

            assertThat(chunks.peakBuffered()).isLessThanOrEqualTo(TenantChunks.BUDGET + (1 << 20));
            assertThat(result.tenantRows()).hasSize(tenants).allSatisfy((t, n) -> assertThat(n).isEqualTo(rowsPerTenant));
            assertThat(result.tenantChunks()).hasSize(tenants);
            // Chunks cut early under the budget are smaller, but never one per row.
            assertThat(result.chunks().size()).isLessThan(rows.size() / 4);
            assertStored(repository, result, expected);
        }
    }
    @ParameterizedTest(name = "stored on a saver thread: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("each tenant's chunks are cut exactly where the repository's chunker cuts the tenant's rows, rows longer than a block and than the largest chunk included")
    void cutsLikeTheChunker(boolean onSaver) throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        Map<String, ByteArrayOutputStream> expected = new HashMap<>();
        List<byte[]> rows = new ArrayList<>();
        for (int r = 0; r < 3_000; r++) {
            String tenant = Integer.toString(random.nextInt(3));
            // mostly short rows, some longer than a block, one longer than the largest chunk
            int length = r == 1_500 ? FastCdc.DEFAULT_MAX + 300_000
                    : random.nextInt(10) == 0 ? TenantChunks.BLOCK + random.nextInt(3 * TenantChunks.BLOCK)
                    : 1 + random.nextInt(4_000);
            byte[] row = new byte[length + 1 + tenant.length() + 1];
            for (int i = 0; i < length; i++) {
                row[i] = (byte) ('a' + random.nextInt(26));
            }
            row[length] = '\t';
            System.arraycopy(tenant.getBytes(StandardCharsets.US_ASCII), 0, row, length + 1, tenant.length());
            row[row.length - 1] = '\n';
            rows.add(row);
            ByteArrayOutputStream stream = expected.computeIfAbsent(tenant, k -> new ByteArrayOutputStream());
            stream.write(row, 0, length);
            stream.write('\n');
        }
        ExecutorService saver = onSaver ? Executors.newSingleThreadExecutor() : null;
        try (Repository repository = Repository.init(new InMemoryStorage(), "pw".toCharArray(), OPTIONS)) {
            TenantChunks chunks = new TenantChunks(repository, new RowScanner(-1), true, null, ProgressListener.NONE, saver,
                    new TenantChunks.Buffers(1));
            int[] next = {0};
            TenantChunks.Result result = chunks.run(() -> next[0] < rows.size() ? rows.get(next[0]++) : null);

            RepositoryConfig.ChunkerParams p = repository.config().chunker();
            long[] gear = FastCdc.gearTable(io.restorekit.common.Hex.decode(p.gearSeed()));
            assertThat(result.tenantChunks()).containsOnlyKeys(expected.keySet());
            for (Map.Entry<String, List<Integer>> e : result.tenantChunks().entrySet()) {
                List<BlobId> want = new ArrayList<>();
                Chunker chunker = new FastCdc(new ByteArrayInputStream(expected.get(e.getKey()).toByteArray()),
                        gear, p.min(), p.avg(), p.max());
                for (Chunker.Chunk c; (c = chunker.next()) != null; ) {
                    want.add(repository.blobId(c.data(), 0, c.length()));
                }
                assertThat(want).as("tenant %s has more than a few chunks", e.getKey()).hasSizeGreaterThan(3);
                assertThat(result.chunks().subList(e.getValue().get(0), e.getValue().get(1)))
                        .as("chunks of tenant %s", e.getKey()).isEqualTo(want);
                for (BlobId id : want) {
                    assertThat(repository.loadBlob(BlobType.DATA, id)).isNotNull();
                }
            }
        } finally {
            if (saver != null) {
                saver.shutdownNow();
            }
        }
    }

    @Test
    @DisplayName("the tables of one backup share their blocks: the next table takes those the last one gave back, and their bytes never leak into its chunks")
    void tablesShareBlocks() throws Exception {
        List<byte[]> first = tenantRows(11, 'a');
        List<byte[]> again = tenantRows(11, 'a');
        List<byte[]> other = tenantRows(12, 'A');
        TenantChunks.Buffers buffers = new TenantChunks.Buffers(1);
        ExecutorService saver = Executors.newSingleThreadExecutor();
        try (Repository repository = Repository.init(new InMemoryStorage(), "pw".toCharArray(), OPTIONS)) {
            TenantChunks.Result one = cut(repository, buffers, null, first);
            int made = buffers.made();
            assertThat(made).as("blocks the first table needed").isGreaterThan(20);

            TenantChunks.Result two = cut(repository, buffers, null, again);
            assertThat(buffers.made()).as("blocks made after a second table like the first").isEqualTo(made);
            assertThat(two.chunks()).isEqualTo(one.chunks());
            assertThat(two.tenantChunks()).isEqualTo(one.tenantChunks());

            // different bytes, stored on a saver thread, in the blocks the tables before left
            TenantChunks.Result three = cut(repository, buffers, saver, other);
            assertThat(buffers.made()).as("blocks made after a third table of the same shape")
                    .isLessThanOrEqualTo(made + made / 4);
            assertExactly(repository, three, other);
            assertExactly(repository, one, first);
        } finally {
            saver.shutdownNow();
        }
    }

    /** 40 tenants' rows of 200-700 letters from {@code base}, interleaved, each ending with a tab and its tenant. */
    private static List<byte[]> tenantRows(long seed, char base) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> rows = new ArrayList<>();
        for (int r = 0; r < 12_000; r++) {
            StringBuilder text = new StringBuilder();
            int length = 200 + new SplittableRandom(r).nextInt(500);
            for (int k = 0; k < length; k++) {
                text.append((char) (base + random.nextInt(26)));
            }
            rows.add((text + "\t" + (r % 40) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return rows;
    }

    private static TenantChunks.Result cut(Repository repository, TenantChunks.Buffers buffers, ExecutorService saver,
                                           List<byte[]> rows) throws IOException {
        TenantChunks chunks = new TenantChunks(repository, new RowScanner(-1), true, null, ProgressListener.NONE, saver,
                buffers);
        int[] next = {0};
        return chunks.run(() -> next[0] < rows.size() ? rows.get(next[0]++).clone() : null);
    }

    /** Each tenant's chunks hold exactly its rows, without the tenant column, in order. */
    private static void assertExactly(Repository repository, TenantChunks.Result result, List<byte[]> rows)
            throws IOException {
        Map<String, ByteArrayOutputStream> expected = new HashMap<>();
        for (byte[] row : rows) {
            int tab = row.length - 2;
            while (row[tab] != '\t') {
                tab--;
            }
            String tenant = new String(row, tab + 1, row.length - tab - 2, StandardCharsets.US_ASCII);
            ByteArrayOutputStream out = expected.computeIfAbsent(tenant, k -> new ByteArrayOutputStream());
            out.write(row, 0, tab);
            out.write('\n');
        }
        assertThat(result.tenantChunks()).containsOnlyKeys(expected.keySet());
        assertStored(repository, result, expected);
    }

    /** Each tenant's chunks, loaded from the repository, hold exactly {@code expected}'s bytes for it. */
    private static void assertStored(Repository repository, TenantChunks.Result result,
                                     Map<String, ByteArrayOutputStream> expected) throws IOException {
        for (Map.Entry<String, List<Integer>> e : result.tenantChunks().entrySet()) {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            for (BlobId id : result.chunks().subList(e.getValue().get(0), e.getValue().get(1))) {
                stored.writeBytes(repository.loadBlob(BlobType.DATA, id));
            }
            assertThat(stored.toByteArray()).as("rows of tenant %s", e.getKey())
                    .isEqualTo(expected.get(e.getKey()).toByteArray());
        }
    }
}
