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
    private static final java.lang.invoke.VarHandle WORDS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final byte[] NULL = {'\\', 'N'};
    /** The letter after the backslash that escapes a byte, or 0 for a byte written as it is. */
    private static final byte[] ESCAPE = new byte[256];

    static {
        ESCAPE['\\'] = '\\';
        ESCAPE['\t'] = 't';
        ESCAPE['\n'] = 'n';
        ESCAPE['\r'] = 'r';
        ESCAPE[0] = '0';
    }

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

    /**
     * Appends the first {@code size()} values of the text-protocol row at {@code row[from, end)}
     * ({@link WireRows}, {@link RawRows}) and a newline: the same text as
     * {@link #encode(ResultSet, Buf)} of that row. Returns where the row's next value starts.
     */
    int encode(byte[] row, int from, int end, Buf out) throws SQLException {
        // Room for the whole line at once: a value's text is at most twice its bytes on the wire
        // (its length byte included), a tab or newline per value, and a word's slack (escaped).
        out.ensure(2 * (end - from) + columns.length + 8);
        int p = from;
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                out.data[out.length++] = '\t';
            }
            p = value(row, p, end, columns[i], out);
        }
        out.data[out.length++] = '\n';
        return p;
    }

    /**
     * Appends the value at {@code row[p]} (a length-encoded string, {@code 0xfb} for SQL NULL) of
     * a row that ends at {@code end}, written as {@code c}; returns where the next value starts.
     */
    static int field(byte[] row, int p, int end, Column c, Buf out) throws SQLException {
        out.ensure(2 * (end - p) + 8);
        return value(row, p, end, c, out);
    }

    /** {@link #field(byte[], int, int, Column, Buf)} into {@code out} that has room for twice the rest of the row and a word. */
    private static int value(byte[] row, int p, int end, Column c, Buf out) throws SQLException {
        if (p >= end) {
            throw new SQLException("a row from the server has fewer values than selected");
        }
        int b = row[p] & 0xff;
        long len;
        if (b < 0xfb) {
            len = b;
            p++;
        } else if (b == 0xfb) {
            out.data[out.length] = '\\';
            out.data[out.length + 1] = 'N';
            out.length += 2;
            return p + 1;
        } else if (b == 0xff) {
            throw new SQLException("a row from the server holds an unknown length prefix 0x" + Integer.toHexString(b));
        } else if (lengthSize(b) > end - p) {
            throw new SQLException("a row from the server ends inside a value's length");
        } else {
            len = length(row, p);
            p += lengthSize(b);
        }
        if (len < 0 || len > end - p) {
            throw new SQLException("a row from the server holds a value longer than the row");
        }
        if (c.kind() == Column.Kind.TEXT) {
            escapedInRoom(row, p, (int) len, out);
        } else {
            hexInRoom(row, p, (int) len, out);
        }
        return p + (int) len;
    }

    /** The protocol's length-encoded integer at {@code b[p]} (its first byte below 0xfb, or 0xfc-0xfe and 2, 3 or 8 bytes). */
    static long length(byte[] b, int p) {
        int first = b[p] & 0xff;
        return switch (first) {
            case 0xfc -> (b[p + 1] & 0xff) | (b[p + 2] & 0xff) << 8;
            case 0xfd -> (b[p + 1] & 0xff) | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff) << 16;
            case 0xfe -> {
                long v = 0;
                for (int k = 8; k >= 1; k--) {
                    v = v << 8 | (b[p + k] & 0xff);
                }
                yield v;
            }
            default -> first;
        };
    }

    /** How many bytes a length-encoded integer whose first byte is {@code first} takes. */
    static int lengthSize(int first) {
        return switch (first) {
            case 0xfc -> 3;
            case 0xfd -> 4;
            case 0xfe -> 9;
            default -> 1;
        };
    }

    /** Appends one field: the value of column {@code index} of {@code r} written as {@code c}. */
    static void field(ResultSet r, int index, Column c, Buf out) throws SQLException {
        if (c.kind() != Column.Kind.TEXT) {
            byte[] b = r.getBytes(index);
            if (b == null) {
                out.add(NULL, 0, 2);
                return;
            }
            hex(b, 0, b.length, out);
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
        escaped(b, 0, b.length, out);
    }

    static void escaped(byte[] b, int off, int len, Buf out) {
        out.ensure(len * 2 + 8);
        escapedInRoom(b, off, len, out);
    }

    /** {@link #escaped(byte[], int, int, Buf)} into {@code out} that has room for twice {@code len} and a word. */
    private static void escapedInRoom(byte[] b, int off, int len, Buf out) {
        byte[] a = out.data;
        int p = out.length;
        int i = off;
        int end = off + len;
        // Eight bytes at a time while none needs escaping: none is below 0x0e (NUL, tab, newline
        // and carriage return are) and none is a backslash; the first word that holds one, and
        // what follows it, go byte by byte.
        for (int last = end - 8; i <= last; i += 8, p += 8) {
            long v = (long) WORDS.get(b, i);
            if (special(v) != 0) {
                break;
            }
            WORDS.set(a, p, v);
        }
        // The last bytes (most values are shorter than a word) as one word too, where the array
        // holds one: the word's bytes past the value are not looked at (a borrow in the test only
        // runs upwards, from a value's byte into the bytes after it) and the copy's extra bytes
        // lie past the output's length, to be written over.
        int rest = end - i;
        if (rest > 0 && rest < 8 && i <= b.length - 8) {
            long v = (long) WORDS.get(b, i);
            if ((special(v) & (-1L >>> (64 - 8 * rest))) == 0) {
                WORDS.set(a, p, v);
                out.length = p + rest;
                return;
            }
        }
        for (; i < end; i++) {
            byte x = b[i];
            byte e = ESCAPE[x & 0xff];
            if (e == 0) {
                a[p++] = x;
            } else {
                a[p++] = '\\';
                a[p++] = e;
            }
        }
        out.length = p;
    }

    /** The high bit of each byte of {@code v} that is below 0x0e or a backslash, and maybe of bytes above those. */
    private static long special(long v) {
        long slash = v ^ 0x5c5c5c5c5c5c5c5cL;
        long below = (v - 0x0e0e0e0e0e0e0e0eL) & ~v;
        long backslash = (slash - 0x0101010101010101L) & ~slash;
        return (below | backslash) & 0x8080808080808080L;
    }

    static void hex(byte[] b, int off, int len, Buf out) {
        out.ensure(len * 2);
        hexInRoom(b, off, len, out);
    }

    private static void hexInRoom(byte[] b, int off, int len, Buf out) {
        byte[] a = out.data;
        int p = out.length;
        for (int i = off, end = off + len; i < end; i++) {
            byte x = b[i];
            a[p++] = HEX[(x >> 4) & 0xf];
            a[p++] = HEX[x & 0xf];
        }
        out.length = p;
    }

    /** A growable byte buffer. */
    static final class Buf {
        byte[] data = new byte[1 << 12];
        int length;
        private final int full;

        Buf() {
            this(0);
        }

        /**
         * A buffer that starts small and, once it outgrows that, takes {@code full} bytes at once
         * instead of doubling up to them: a small table's batch stays small, a large table's
         * first batch grows once.
         */
        Buf(int full) {
            this.full = full;
        }

        void ensure(int more) {
            if (length + more > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(Math.max(data.length * 2, full), length + more));
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
