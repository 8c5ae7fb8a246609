package io.restorekit.source.mysql;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Tenant key maps within their budget")
class TenantKeysTest {
    private static void add(TenantKeys.Builder b, long key, String tenant) {
        byte[] row = tenant.getBytes(StandardCharsets.UTF_8);
        b.add(key, row, 0, row.length);
    }

    private static String tenant(TenantKeys keys, long key) {
        return new String(keys.tenant(key), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a map the budget cannot hold is given up, its bytes given back; the maps built keep theirs")
    void budget() {
        // 1,000 dense keys with 3 tenants: the builder takes 12 bytes a row, the map 1 byte a key
        TenantKeys.Budget budget = new TenantKeys.Budget(16 * 1024);
        TenantKeys.Builder first = new TenantKeys.Builder(1000, budget);
        for (long k = 1; k <= 1000; k++) {
            add(first, k, "t" + (k % 3));
        }
        assertThat(first.build()).isNotNull();
        // what is left (about 15 KiB) holds a second builder of 1,000 rows, not one of 2,000
        TenantKeys.Builder second = new TenantKeys.Builder(16, budget);
        for (long k = 1; k <= 2000; k++) {
            add(second, k, "t" + (k % 3));
        }
        assertThat(second.givenUp()).isTrue();
        assertThat(second.build()).isNull();
        // the second builder gave back all it took: a third of 1,000 rows fits again
        TenantKeys.Builder third = new TenantKeys.Builder(1000, budget);
        for (long k = 1; k <= 1000; k++) {
            add(third, k, "t" + (k % 3));
        }
        TenantKeys map = third.build();
        assertThat(map).isNotNull();
        assertThat(tenant(map, 999)).isEqualTo("t0");
        // the two maps keep 1,000 bytes each: 14,384 bytes are left, short of a builder of 1,250 rows
        assertThat(new TenantKeys.Builder(1250, budget).givenUp()).isTrue();
        assertThat(new TenantKeys.Builder(1190, budget).givenUp()).isFalse();
    }

    @Test
    @DisplayName("a table far beyond its row estimate fills several segments, and every key finds its tenant, dense or sparse")
    void beyondTheEstimate() {
        for (long step : new long[]{1, 7_919}) {
            TenantKeys.Builder b = new TenantKeys.Builder(1_000, new TenantKeys.Budget(Long.MAX_VALUE));
            int rows = 300_000;
            for (long k = 0; k < rows; k++) {
                add(b, 5 + k * step, "tenant-" + (k * 31 % 300));
            }
            TenantKeys map = b.build();
            assertThat(map.size()).isEqualTo(rows);
            assertThat(map.dense()).isEqualTo(step == 1);
            for (long k = 0; k < rows; k++) {
                assertThat(tenant(map, 5 + k * step)).as("key %d", 5 + k * step).isEqualTo("tenant-" + (k * 31 % 300));
            }
            assertThat(tenant(map, 4)).isEqualTo("\\N");
            assertThat(tenant(map, 5 + rows * step)).isEqualTo("\\N");
        }
    }
}
