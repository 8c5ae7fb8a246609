package io.restorekit.source.postgres;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("COPY row scanner")
class RowScannerTest {
    private static final byte[] ROWS = ("1\t7\tfirst\n2\t7\tsecond\\nline\n3\t\\N\tno tenant\n4\t12\t\tempty\n"
            + "5\t12\tlast").getBytes(StandardCharsets.UTF_8);

    private static RowScanner feed(RowScanner scanner, int piece) {
        for (int off = 0; off < ROWS.length; off += piece) {
            scanner.update(ROWS, off, Math.min(piece, ROWS.length - off));
        }
        return scanner;
    }

    @Test
    @DisplayName("counting mode counts rows and rows per tenant as the digesting mode does, in pieces of any size, and hashes nothing")
    void countingMatchesDigesting() {
        RowScanner none = new RowScanner(1);
        for (int piece : new int[] {1, 3, 7, ROWS.length}) {
            RowScanner full = feed(new RowScanner(1), piece);
            RowScanner counting = feed(RowScanner.counting(1), piece);
            // the last line has no newline: like a COPY stream cut short, it is not a row
            assertThat(full.rows()).isEqualTo(4);
            assertThat(counting.rows()).isEqualTo(full.rows());
            assertThat(counting.tenants()).isEqualTo(full.tenants()).isEqualTo(Map.of("7", 2L, "12", 1L));
            assertThat(counting.bytes()).isEqualTo(ROWS.length);
            assertThat(full.digest()).isNotEqualTo(none.digest());
            assertThat(counting.digest()).isEqualTo(none.digest());
        }
    }
}
