package io.restorekit.source.mysql;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes result rows as lines of the text {@code LOAD DATA} reads by default, exactly reversible:
 * fields separated by a tab, rows ended by a newline, SQL NULL as {@code \N}; in text values a
 * backslash, tab, newline, carriage return and NUL are escaped ({@code \\ \t \n \r \0}), so the
 * empty string stays distinct from NULL and a raw newline always ends a row. Strings are UTF-8
 * (utf8mb4), numbers, decimals and temporal values the server's text of them as
 * {@code CAST(... AS CHAR)} gives it (zero dates and DATETIME(6) fractions included), binary values are lower-case hex, BIT values the hex of their
 * bytes. The same lines are what the row digest is computed over (docs/repository-format.md §8).
 */
final class RowEncoder {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'\\', 'N'};

    private final Column[] columns;

    RowEncoder(List<Column> columns) {
        this.columns = columns.toArray(new Column[0]);
    }

    int size() {
        return columns.length;
    }

    /**
     * Appends the current row of {@code r} (its first {@code size()} columns, selected with
     * {@link Column#read}) and a newline.
     */
    void encode(ResultSet r, Buf out) throws SQLException {
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                out.add((byte) '\t');
            }
            field(r, i + 1, columns[i], out);
        }
        out.add((byte) '\n');
    }

    /** Appends one field: the value of column {@code index} of {@code r} written as {@code c}. */
    static void field(ResultSet r, int index, Column c, Buf out) throws SQLException {
        if (c.kind() != Column.Kind.TEXT) {
            byte[] b = r.getBytes(index);
            if (b == null) {
                out.add(NULL, 0, 2);
                return;
            }
            out.ensure(b.length * 2);
            byte[] a = out.data;
            int p = out.length;
            for (byte x : b) {
                a[p++] = HEX[(x >> 4) & 0xf];
                a[p++] = HEX[x & 0xf];
            }
            out.length = p;
            return;
        }
        byte[] b = r.getBytes(index);
        if (b == null) {
            out.add(NULL, 0, 2);
            return;
        }
        escaped(b, out);
    }

    static void escaped(byte[] b, Buf out) {
        out.ensure(b.length * 2);
        byte[] a = out.data;
        int p = out.length;
        for (byte x : b) {
            switch (x) {
                case '\\' -> { a[p++] = '\\'; a[p++] = '\\'; }
                case '\t' -> { a[p++] = '\\'; a[p++] = 't'; }
                case '\n' -> { a[p++] = '\\'; a[p++] = 'n'; }
                case '\r' -> { a[p++] = '\\'; a[p++] = 'r'; }
                case 0 -> { a[p++] = '\\'; a[p++] = '0'; }
                default -> a[p++] = x;
            }
        }
        out.length = p;
    }

    /** A growable byte buffer. */
    static final class Buf {
        byte[] data = new byte[1 << 12];
        int length;

        void ensure(int more) {
            if (length + more > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, length + more));
            }
        }

        void add(byte b) {
            ensure(1);
            data[length++] = b;
        }

        void add(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, data, length, len);
            length += len;
        }
    }
}
