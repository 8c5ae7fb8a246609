package io.restorekit.shell;

import io.restorekit.common.Sizes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table: a header, aligned columns two spaces apart, numbers and sizes right-aligned,
 * no trailing spaces. Cells are rendered with {@code toString()}; {@link Number}s and
 * {@link #bytes(long)} cells are right-aligned.
 */
public final class Table {
    /** A cell shown right-aligned. */
    public record Right(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final String[] headers;
    private final List<Object[]> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = headers.clone();
    }

    /** A size cell: {@code 12.3 MiB}, right-aligned. */
    public static Right bytes(long n) {
        return new Right(Sizes.bytes(n));
    }

    public Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("expected " + headers.length + " cells, got " + cells.length);
        }
        rows.add(cells.clone());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public String render() {
        int[] width = new int[headers.length];
        boolean[] right = new boolean[headers.length];
        for (int c = 0; c < headers.length; c++) {
            width[c] = headers[c].length();
        }
        for (Object[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], text(row[c]).length());
                right[c] |= row[c] instanceof Number || row[c] instanceof Right;
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, Arrays.copyOf(headers, headers.length, Object[].class), width, right);
        for (Object[] row : rows) {
            line(out, row, width, right);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    private static void line(StringBuilder out, Object[] cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            String text = text(cells[c]);
            String pad = " ".repeat(width[c] - text.length());
            if (c > 0) {
                line.append("  ");
            }
            line.append(right[c] ? pad + text : text + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    private static String text(Object cell) {
        return cell == null ? "" : cell.toString();
    }
}
