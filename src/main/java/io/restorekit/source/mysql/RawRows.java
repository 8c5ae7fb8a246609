package io.restorekit.source.mysql;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.ResultSet;

/**
 * The current row of a MariaDB Connector/J result set as the bytes the server sent, for reading
 * rows without a {@code byte[]} per value: a text-protocol row (what a plain {@code Statement}
 * query returns) is its values one after the other, each a length-encoded string ({@code 0xfb}
 * for SQL NULL). The driver keeps the rows of a fetch in {@code Result.data} and the current one
 * at {@code Result.rowPointer}; where a driver does not (another version, another driver),
 * {@link #available()} is false and rows are read value by value through JDBC.
 */
final class RawRows {
    private static final Class<?> RESULT;
    private static final VarHandle DATA;
    private static final VarHandle POINTER;

    static {
        Class<?> result = null;
        VarHandle data = null;
        VarHandle pointer = null;
        if (!Boolean.getBoolean("rk.mysql.jdbc-rows")) {
            try {
                Class<?> c = Class.forName("org.mariadb.jdbc.client.result.Result");
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                data = lookup.findVarHandle(c, "data", byte[][].class);
                pointer = lookup.findVarHandle(c, "rowPointer", int.class);
                result = c;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                result = null;
            }
        }
        RESULT = result;
        DATA = result == null ? null : data;
        POINTER = result == null ? null : pointer;
    }

    private RawRows() {
    }

    /** Whether rows can be read raw from this driver's result sets. */
    static boolean available() {
        return RESULT != null;
    }

    /** Whether {@code r} is a result set whose rows can be read raw. */
    static boolean supports(ResultSet r) {
        return RESULT != null && RESULT.isInstance(r);
    }

    /** The current row's bytes (after {@code next()} returned true); see {@link #supports}. */
    static byte[] current(ResultSet r) {
        byte[][] rows = (byte[][]) DATA.get(r);
        return rows[(int) POINTER.get(r)];
    }
}
