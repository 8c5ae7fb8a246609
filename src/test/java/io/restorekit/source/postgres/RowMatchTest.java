package io.restorekit.source.postgres;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored rows matched to current ones by primary key, for keys of one column, of adjacent columns and of columns apart. */
class RowMatchTest {
    private static DatabaseManifest.Table table(List<String> columns, List<String> primaryKey) {
        return new DatabaseManifest.Table("public", "t", columns, 0, null, null, 0, 0, List.of(), primaryKey,
                null, null, null, null, null, null, null, null);
    }

    @Test
    @DisplayName("a key of two adjacent columns: deletes, updates and inserts (in stored order), the rest unchanged")
    void adjacentKey() {
        DatabaseManifest.Table t = table(List.of("tenant_id", "id", "name"), List.of("tenant_id", "id"));
        List<String> stored = List.of("7\t1\tone", "7\t2\ttwo", "7\t3\tthree", "7\t10\tten", "7\t4\tfour");
        List<String> current = List.of("7\t2\ttwo", "7\t1\tONE", "7\t5\tfive", "7\t3\tthree", "7\t31\tx");
        RowMatch m = RowMatch.of(t, stored, current);
        assertThat(m.deleteKeys()).containsExactly("7\t5", "7\t31");
        assertThat(m.updates()).containsExactly("7\t1\tone");
        assertThat(m.inserts()).containsExactly("7\t10\tten", "7\t4\tfour");
        assertThat(m.unchanged()).isEqualTo(2);
        assertThat(m.toDelete()).isEqualTo(2);
        assertThat(m.toInsert()).isEqualTo(2);
        assertThat(m.replaceAll()).isFalse();
    }

    @Test
    @DisplayName("a key of the last column and of columns apart or out of order is cut the same way from both sides")
    void keysApart() {
        DatabaseManifest.Table last = table(List.of("name", "id"), List.of("id"));
        RowMatch m = RowMatch.of(last, List.of("a\t1", "b\t2"), List.of("a\t1", "B\t2", "c\t3"));
        assertThat(m.deleteKeys()).containsExactly("3");
        assertThat(m.updates()).containsExactly("b\t2");
        assertThat(m.unchanged()).isEqualTo(1);

        DatabaseManifest.Table apart = table(List.of("a", "x", "b"), List.of("b", "a"));
        m = RowMatch.of(apart, List.of("1\tx\t2", "1\ty\t3"), List.of("1\tz\t2", "9\ty\t9"));
        assertThat(m.deleteKeys()).containsExactly("9\t9");
        assertThat(m.updates()).containsExactly("1\tx\t2");
        assertThat(m.inserts()).containsExactly("1\ty\t3");

        DatabaseManifest.Table tail = table(List.of("x", "a", "b"), List.of("a", "b"));
        m = RowMatch.of(tail, List.of("p\t1\t2", "q\t1\t3"), List.of("p\t1\t2", "r\t1\t4"));
        assertThat(m.deleteKeys()).containsExactly("1\t4");
        assertThat(m.inserts()).containsExactly("q\t1\t3");
        assertThat(m.unchanged()).isEqualTo(1);
    }

    @Test
    @DisplayName("without a primary key the rows are a multiset, and any difference replaces them all")
    void noKey() {
        DatabaseManifest.Table t = table(List.of("a", "b"), null);
        RowMatch same = RowMatch.of(t, List.of("1\t2", "1\t2"), List.of("1\t2", "1\t2"));
        assertThat(same.replaceAll()).isFalse();
        assertThat(same.unchanged()).isEqualTo(2);
        RowMatch differs = RowMatch.of(t, List.of("1\t2", "1\t2"), List.of("1\t2"));
        assertThat(differs.replaceAll()).isTrue();
        assertThat(differs.inserts()).containsExactly("1\t2", "1\t2");
    }

    @Test
    @DisplayName("a bytes-only scanner counts the bytes and computes no digest")
    void bytesOnlyScanner() {
        byte[] rows = "1\ta\n2\tb\n".getBytes(StandardCharsets.UTF_8);
        RowScanner counting = RowScanner.bytesOnly();
        counting.update(rows, 0, rows.length);
        RowScanner full = new RowScanner(-1);
        full.update(rows, 0, rows.length);
        assertThat(counting.bytes()).isEqualTo(full.bytes()).isEqualTo(rows.length);
        assertThat(full.rows()).isEqualTo(2);
        assertThat(counting.digest()).isEqualTo(new RowScanner(-1).digest()).isNotEqualTo(full.digest());
    }

    @Test
    @DisplayName("a tenant's rows spread over nearly all pages are read by a whole-table scan; fewer, or ordered by tenant, through the index")
    void pagesVisited() {
        // One tenant of twenty, 57 rows a page, spread: nearly every page.
        assertThat(ScopedRestore.pagesVisited(0.05, 35_000, 2_000_000, 0.01)).isGreaterThan(0.9)
                .isGreaterThanOrEqualTo(ScopedRestore.SEQUENTIAL_SHARE);
        // 11 rows a page: about half of them, which an index reads in half the time.
        assertThat(ScopedRestore.pagesVisited(0.05, 87_000, 1_000_000, -0.02)).isBetween(0.4, 0.5)
                .isLessThan(ScopedRestore.SEQUENTIAL_SHARE);
        // One tenant of a thousand, 10 rows a page: few pages.
        assertThat(ScopedRestore.pagesVisited(0.001, 100_000, 1_000_000, 0.0)).isLessThan(ScopedRestore.SEQUENTIAL_SHARE);
        // Rows ordered by tenant, or a table never analysed: the planner decides.
        assertThat(ScopedRestore.pagesVisited(0.05, 35_000, 2_000_000, 0.98)).isZero();
        assertThat(ScopedRestore.pagesVisited(0.05, 0, 0, 0)).isZero();
    }
}
