package io.restorekit.source.postgres;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

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
            TenantChunks chunks = new TenantChunks(repository, new RowScanner(-1), true, null, ProgressListener.NONE);
            int[] next = {0};
            TenantChunks.Result result = chunks.run(() -> next[0] < rows.size() ? rows.get(next[0]++) : null);

            assertThat(chunks.peakBuffered()).isLessThanOrEqualTo(TenantChunks.BUDGET + (1 << 20));
            assertThat(result.tenantRows()).hasSize(tenants).allSatisfy((t, n) -> assertThat(n).isEqualTo(rowsPerTenant));
            assertThat(result.tenantChunks()).hasSize(tenants);
            // Chunks cut early under the budget are smaller, but never one per row.
            assertThat(result.chunks().size()).isLessThan(rows.size() / 4);
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
}
