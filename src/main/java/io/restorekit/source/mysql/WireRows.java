package io.restorekit.source.mysql;

import org.mariadb.jdbc.client.Client;
import org.mariadb.jdbc.client.Context;
import org.mariadb.jdbc.util.constants.Capabilities;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * A query's rows read off the connection's socket: the text protocol's answer to a query (a
 * column count, the column definitions, the rows, a closing OK or EOF packet) parsed in place in
 * one large buffer, each row handed out as a range of that buffer. The driver would read each
 * row through a 16 KiB buffered stream into an array of its own (two locked copies and a few
 * system calls per row); here one socket read fills up to {@link #BUFFER} bytes of rows.
 *
 * <p>The driver stays idle meanwhile: the query is sent and its whole answer read here, between
 * two of the driver's commands, so the driver finds the connection as it left it (a command's
 * packets are numbered from zero anew, and the server sends nothing unasked). A reader closed
 * before the end reads the rest of the answer, as the driver's own result set does.
 *
 * <p>Only for MariaDB Connector/J connections whose socket carries the packets as they are (no
 * TLS, no compression): elsewhere {@link #open} returns null and rows are read through JDBC.
 */
final class WireRows implements AutoCloseable {
    static final int BUFFER = 256 << 10;
    private static final int MAX_PAYLOAD = 0xffffff;
    private static final int COM_QUERY = 0x03;
    /** The driver's client class whose socket is read, and its socket field; null where not found. */
    private static final Class<?> CLIENT;
    private static final VarHandle SOCKET;

    static {
        Class<?> client = null;
        VarHandle socket = null;
        if (!Boolean.getBoolean("rk.mysql.jdbc-rows")) {
            try {
                Class<?> c = Class.forName("org.mariadb.jdbc.client.impl.StandardClient");
                socket = MethodHandles.privateLookupIn(c, MethodHandles.lookup()).findVarHandle(c, "socket",
                        Socket.class);
                client = c;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                socket = null;
            }
        }
        CLIENT = client;
        SOCKET = client == null ? null : socket;
    }

    private final InputStream in;
    private final OutputStream out;
    private final boolean eofDeprecated;
    private byte[] buf = new byte[BUFFER];
    private int pos;
    private int lim;
    private byte[] row;
    private int start;
    private int end;
    /** Where the packet after the current row starts in the buffer. */
    private int after;
    /** A row longer than one packet, put together from its packets. */
    private byte[] joined;
    private int columns;
    private boolean open;

    private WireRows(Socket socket, boolean eofDeprecated) throws IOException {
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.eofDeprecated = eofDeprecated;
    }

    /** A reader of {@code c}'s socket, or null where its packets cannot be read as they are. */
    static WireRows open(Connection c) {
        if (SOCKET == null) {
            return null;
        }
        try {
            org.mariadb.jdbc.Connection mariadb = c.unwrap(org.mariadb.jdbc.Connection.class);
            Client client = mariadb.getClient();
            Context context = mariadb.getContext();
            if (!CLIENT.isInstance(client)
                    || context.hasClientCapability(Capabilities.SSL)
                    || context.hasClientCapability(Capabilities.COMPRESS)
                    || context.getConf().useCompression()) {
                return null;
            }
            Socket socket = (Socket) SOCKET.get(client);
            if (socket == null || socket.isClosed()) {
                return null;
            }
            return new WireRows(socket, context.isEofDeprecated());
        } catch (SQLException | IOException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Sends {@code sql} and reads its answer up to the first row. */
    void query(String sql) throws SQLException {
        if (open) {
            throw new IllegalStateException("the previous query's rows were not read");
        }
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        if (q.length + 1 >= MAX_PAYLOAD) {
            throw new SQLException("a query of " + q.length + " bytes is longer than one packet");
        }
        byte[] packet = new byte[5 + q.length];
        int len = q.length + 1;
        packet[0] = (byte) len;
        packet[1] = (byte) (len >>> 8);
        packet[2] = (byte) (len >>> 16);
        packet[3] = 0;
        packet[4] = COM_QUERY;
        System.arraycopy(q, 0, packet, 5, q.length);
        pos = 0;
        lim = 0;
        try {
            out.write(packet);
            out.flush();
            len = packet(true);
            int first = buf[pos] & 0xff;
            if (first == 0xff) {
                throw error(len);
            }
            if (first == 0x00 || first == 0xfb) {
                throw new SQLException("the query returned no rows: " + sql);
            }
            int p = pos;
            long count = RowEncoder.length(buf, p);
            p += RowEncoder.lengthSize(first);
            // with MariaDB's metadata caching a byte says whether the definitions follow (a text
            // query's always do)
            boolean definitions = p >= pos + len || buf[p] != 0;
            pos += len;
            columns = (int) count;
            if (definitions) {
                for (int i = 0; i < columns; i++) {
                    skip();
                }
                if (!eofDeprecated) {
                    skip();
                }
            }
            open = true;
            after = pos;
        } catch (IOException e) {
            throw readFailure(e);
        }
    }

    private void skip() throws IOException {
        int len = packet(true);
        pos += len;
    }

    /** The number of values in each row of the current query. */
    int columns() {
        return columns;
    }

    /** Moves to the next row; false after the last. The previous row's bytes are then gone. */
    boolean next() throws SQLException {
        if (!open) {
            return false;
        }
        try {
            pos = after;
            int len = packet(true);
            int first = buf[pos] & 0xff;
            if (len == MAX_PAYLOAD) {
                joinPackets();
                return true;
            }
            if (first == 0xfe) {
                // OK or EOF: a row cannot start so unless it is longer than one packet
                open = false;
                after = pos + len;
                return false;
            }
            if (first == 0xff) {
                open = false;
                throw error(len);
            }
            row = buf;
            start = pos;
            end = pos + len;
            after = end;
            return true;
        } catch (IOException e) {
            open = false;
            throw readFailure(e);
        }
    }

    /** The array holding the current row. */
    byte[] row() {
        return row;
    }

    /** Where the current row starts in {@link #row()}. */
    int start() {
        return start;
    }

    /** Where the current row ends in {@link #row()}. */
    int end() {
        return end;
    }

    /** Reads whatever is left of the answer, so the driver can go on with the connection. */
    @Override
    public void close() throws SQLException {
        while (open) {
            next();
        }
    }

    /** Puts together a row longer than one packet: its parts follow until one is shorter. */
    private void joinPackets() throws IOException {
        int total = 0;
        for (int len = MAX_PAYLOAD; ; ) {
            if (joined == null || joined.length - total < len) {
                joined = Arrays.copyOf(joined == null ? new byte[0] : joined,
                        (int) Math.min(Integer.MAX_VALUE - 16, 2L * (total + len)));
            }
            System.arraycopy(buf, pos, joined, total, len);
            total += len;
            pos += len;
            if (len < MAX_PAYLOAD) {
                break;
            }
            len = packet(false);
        }
        row = joined;
        start = 0;
        end = total;
        after = pos;
    }

    /**
     * Reads the packet header at {@code pos} and makes its payload whole in the buffer, at
     * {@code pos} on return; returns the payload's length.
     */
    private int packet(boolean whole) throws IOException {
        need(4);
        int len = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16;
        pos += 4;
        if (len == 0 && whole) {
            throw new IOException("the server sent an empty packet");
        }
        need(len);
        return len;
    }

    private void need(int n) throws IOException {
        if (lim - pos >= n) {
            return;
        }
        if (buf.length - pos < n) {
            int have = lim - pos;
            byte[] to = buf.length < n ? new byte[Math.max(n, buf.length * 2)] : buf;
            System.arraycopy(buf, pos, to, 0, have);
            buf = to;
            pos = 0;
            lim = have;
        }
        while (lim - pos < n) {
            int r = in.read(buf, lim, buf.length - lim);
            if (r < 0) {
                throw new EOFException("the server closed the connection");
            }
            lim += r;
        }
    }

    private SQLException error(int len) {
        int p = pos + 1;
        int code = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8;
        p += 2;
        String state = "HY000";
        if (p < pos + len && buf[p] == '#') {
            state = new String(buf, p + 1, 5, StandardCharsets.US_ASCII);
            p += 6;
        }
        String message = new String(buf, p, pos + len - p, StandardCharsets.UTF_8);
        pos += len;
        return new SQLException(message, state, code);
    }

    private static SQLException readFailure(IOException e) {
        return new SQLException("reading rows from the server failed: " + e.getMessage(), "08S01", e);
    }
}
