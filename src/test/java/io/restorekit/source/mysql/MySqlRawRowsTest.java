package io.restorekit.source.mysql;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlRawRowsTest {
    private static final String DB = "raw_rows";
    private MySqlConnect connect;

    @BeforeAll
    void setUp() throws Exception {
        String url = EmbeddedMariaDbServer.freshDatabase(DB);
        AwkwardMySql.create(DB, 12);
        try (Connection c = EmbeddedMariaDbServer.root(DB); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE edge (id INT PRIMARY KEY, z INT(6) ZEROFILL, neg TINYINT, um MEDIUMINT UNSIGNED,"
                    + " dec_neg DECIMAL(20,6), ts TIMESTAMP(3) NULL, y YEAR, t TIME(6), dt DATETIME, long_text MEDIUMTEXT,"
                    + " long_bin MEDIUMBLOB, b BIT(12), f FLOAT, d DOUBLE)");
            st.execute("SET SESSION sql_mode = ''");
            st.execute("SET time_zone = '+02:00'");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO edge VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 30; i++) {
                    ps.setInt(1, i);
                    ps.setInt(2, i * 37);
                    ps.setInt(3, -128 + i);
                    ps.setInt(4, 16777215 - i);
                    ps.setString(5, i % 2 == 0 ? "-0.000001" : "-12345678901234.5");
                    ps.setString(6, i % 5 == 0 ? null : "2026-03-29 0" + (i % 10) + ":30:00.125");
                    ps.setInt(7, i % 3 == 0 ? 0 : 2000 + i);
                    ps.setString(8, i % 2 == 0 ? "-838:59:59" : "00:00:00.000001");
                    ps.setString(9, i % 4 == 0 ? "0000-00-00 00:00:00" : "1000-01-01 00:00:00");
                    char[] text = new char[i % 3 == 0 ? 70_000 : 300 + i];
                    Arrays.fill(text, i % 2 == 0 ? 'é' : '\t');
                    ps.setString(10, new String(text));
                    byte[] bin = new byte[i % 3 == 1 ? 66_000 : i];
                    Arrays.fill(bin, (byte) (i * 9));
                    ps.setBytes(11, bin);
                    ps.setInt(12, i * 131);
                    ps.setFloat(13, i / 7f);
                    ps.setDouble(14, i * 1e300 / 7);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        connect = new MySqlConnect(url, EmbeddedMariaDbServer.USER, EmbeddedMariaDbServer.PASSWORD, null);
    }

    @Test
    @DisplayName("rows read raw, numbers and temporal values uncast, are the same row text as rows read value by value with casts")
    void rawRowsMatchJdbcRows() throws Exception {
        assertThat(RawRows.available()).isTrue();
        int tables = 0;
        StringBuilder all = new StringBuilder();
        try (Connection c = connect.open()) {
            MySqlSchema.Result schema = MySqlSchema.read(c);
            for (MySqlSchema.TableInfo t : schema.tables()) {
                if (t.columns().isEmpty()) {
                    continue;
                }
                String from = " FROM " + MySqlConnect.ident(t.name()) + " t0";
                byte[] jdbc = read(c, "SELECT " + Column.readList(t.columns(), "t0", false) + from, t, false);
                byte[] raw = read(c, "SELECT " + Column.readList(t.columns(), "t0", true) + from, t, true);
                assertThat(new String(raw, StandardCharsets.UTF_8)).as(t.name())
                        .isEqualTo(new String(jdbc, StandardCharsets.UTF_8));
                assertThat(raw).as(t.name()).isNotEmpty();
                all.append(new String(raw, StandardCharsets.UTF_8));
                tables++;
            }
        }
        assertThat(tables).isGreaterThanOrEqualTo(6);
        // the awkward values are there, so the comparison covered them
        assertThat(all).contains("0000-00-00", "\\N", "\\t", "\\0", "-838:59:59", "000037", "😀", "2026-03-29 00:30:00.125");
    }

    @Test
    @DisplayName("rows read off the socket are the same row text as rows read through the driver, and the driver can go on")
    void wireRowsMatchDriverRows() throws Exception {
        int tables = 0;
        try (Connection c = connect.open()) {
            MySqlSchema.Result schema = MySqlSchema.read(c);
            for (MySqlSchema.TableInfo t : schema.tables()) {
                if (t.columns().isEmpty()) {
                    continue;
                }
                String sql = "SELECT " + Column.readList(t.columns(), "t0", true) + " FROM "
                        + MySqlConnect.ident(t.name()) + " t0";
                byte[] driver = read(c, sql, t, true);
                byte[] wire = wire(c, sql, t, Integer.MAX_VALUE);
                assertThat(new String(wire, StandardCharsets.UTF_8)).as(t.name())
                        .isEqualTo(new String(driver, StandardCharsets.UTF_8));
                tables++;
            }
            assertThat(tables).isGreaterThanOrEqualTo(6);
            // a query that fails says why, with the server's error code, and the connection goes on
            WireRows wire = WireRows.open(c);
            assertThat(wire).isNotNull();
            assertThatThrownBy(() -> wire.query("SELECT * FROM no_such_table"))
                    .isInstanceOfSatisfying(java.sql.SQLException.class, e -> {
                        assertThat(e.getErrorCode()).isEqualTo(1146);
                        assertThat(e.getMessage()).contains("no_such_table");
                    });
            wire.query("SELECT id FROM edge WHERE id < 0");
            assertThat(wire.columns()).isEqualTo(1);
            assertThat(wire.next()).isFalse();
            // closed after two rows of thirty: the rest is read, and the driver's next query works
            MySqlSchema.TableInfo edge = schema.tables().stream().filter(t -> t.name().equals("edge")).findFirst()
                    .orElseThrow();
            String sql = "SELECT " + Column.readList(edge.columns(), "t0", true) + " FROM edge t0";
            assertThat(new String(wire(c, sql, edge, 2), StandardCharsets.UTF_8).split("\n")).hasSize(2);
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT COUNT(*), SUM(id) FROM edge")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getLong(1)).isEqualTo(30);
                assertThat(r.getLong(2)).isEqualTo(435);
            }
        }
    }

    @Test
    @DisplayName("a row longer than one packet (16 MiB) read off the socket is put together whole")
    void wireRowLongerThanAPacket() throws Exception {
        try (Connection root = EmbeddedMariaDbServer.root(DB); Statement st = root.createStatement()) {
            st.execute("SET GLOBAL max_allowed_packet = " + (64 << 20));
        }
        byte[] big = new byte[(17 << 20) + 5];
        new java.util.Random(3).nextBytes(big);
        try (Connection c = EmbeddedMariaDbServer.root(DB)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE huge (id INT PRIMARY KEY, b LONGBLOB, t VARCHAR(10))");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO huge VALUES (?, ?, ?)")) {
                for (int i = 0; i < 3; i++) {
                    ps.setInt(1, i);
                    ps.setBytes(2, i == 1 ? big : new byte[] {(byte) i});
                    ps.setString(3, "r" + i);
                    ps.executeUpdate();
                }
            }
        }
        try (Connection c = connect.open()) {
            MySqlSchema.TableInfo huge = MySqlSchema.read(c).tables().stream().filter(t -> t.name().equals("huge"))
                    .findFirst().orElseThrow();
            String sql = "SELECT " + Column.readList(huge.columns(), "t0", true) + " FROM huge t0 ORDER BY id";
            byte[] wire = wire(c, sql, huge, Integer.MAX_VALUE);
            assertThat(wire).isEqualTo(read(c, sql, huge, true));
            String text = new String(wire, StandardCharsets.ISO_8859_1);
            assertThat(text.split("\n")).hasSize(3);
            assertThat(text).startsWith("0\t00\tr0\n1\t").endsWith("\tr1\n2\t02\tr2\n");
            assertThat(wire.length).isEqualTo(2 * big.length + 22);
        } finally {
            try (Connection root = EmbeddedMariaDbServer.root(DB); Statement st = root.createStatement()) {
                st.execute("DROP TABLE huge");
            }
        }
    }

    @Test
    @DisplayName("a compressed connection is not read off the socket: rows come through the driver")
    void compressedConnectionsUseTheDriver() throws Exception {
        MySqlConnect compressed = new MySqlConnect(EmbeddedMariaDbServer.url(DB) + "?useCompression=true",
                EmbeddedMariaDbServer.USER, EmbeddedMariaDbServer.PASSWORD, null);
        try (Connection c = compressed.open()) {
            assertThat(WireRows.open(c)).isNull();
        }
        try (Connection c = connect.open()) {
            assertThat(WireRows.open(c)).isNotNull();
        }
    }

    @Test
    @DisplayName("a connection killed while its rows are read off the socket fails the read with an error, not a hang")
    void killedConnectionFails() throws Exception {
        try (Connection c = connect.open(); Connection root = EmbeddedMariaDbServer.root(DB)) {
            long id;
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT CONNECTION_ID()")) {
                r.next();
                id = r.getLong(1);
            }
            WireRows wire = WireRows.open(c);
            assertThat(wire).isNotNull();
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    try (Statement st = root.createStatement()) {
                        st.execute("KILL " + id);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            killer.start();
            long started = System.nanoTime();
            assertThatThrownBy(() -> {
                wire.query("SELECT SLEEP(20), 1");
                while (wire.next()) {
                    // the row, if the server sends it before closing
                }
            }).isInstanceOf(java.sql.SQLException.class);
            killer.join();
            assertThat(System.nanoTime() - started).isLessThan(15_000_000_000L);
        }
    }

    /** Up to {@code limit} rows of {@code sql} read off the socket, as row text. */
    private static byte[] wire(Connection c, String sql, MySqlSchema.TableInfo t, int limit) throws Exception {
        RowEncoder encoder = new RowEncoder(t.columns());
        RowEncoder.Buf out = new RowEncoder.Buf();
        try (WireRows rows = WireRows.open(c)) {
            assertThat(rows).isNotNull();
            rows.query(sql);
            assertThat(rows.columns()).isEqualTo(t.columns().size());
            for (int n = 0; n < limit && rows.next(); n++) {
                assertThat(encoder.encode(rows.row(), rows.start(), rows.end(), out)).isEqualTo(rows.end());
            }
        }
        return Arrays.copyOf(out.data, out.length);
    }

    @Test
    @DisplayName("read raw, only the types whose text differs from their cast (FLOAT, DOUBLE) are cast")
    void castsOnlyWhereTheTextDiffers() {
        Column dt = Column.of("at", "DATETIME");
        Column f = Column.of("f", "float");
        assertThat(dt.read("t0", true)).isEqualTo("t0.`at`");
        assertThat(dt.read("t0", false)).isEqualTo("CAST(t0.`at` AS CHAR)");
        assertThat(f.read("t0", true)).isEqualTo("CAST(t0.`f` AS CHAR)");
    }

    private static byte[] read(Connection c, String sql, MySqlSchema.TableInfo t, boolean raw) throws Exception {
        RowEncoder encoder = new RowEncoder(t.columns());
        RowEncoder.Buf out = new RowEncoder.Buf();
        try (Statement st = c.createStatement()) {
            st.setFetchSize(7);
            try (ResultSet r = st.executeQuery(sql)) {
                while (r.next()) {
                    if (raw) {
                        byte[] row = RawRows.current(r);
                        assertThat(encoder.encode(row, 0, row.length, out)).isEqualTo(row.length);
                    } else {
                        encoder.encode(r, out);
                    }
                }
            }
        }
        return Arrays.copyOf(out.data, out.length);
    }
}
