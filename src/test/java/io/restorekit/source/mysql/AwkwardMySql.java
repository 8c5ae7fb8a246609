package io.restorekit.source.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The test schema (src/test/resources/mysql/awkward.sql: foreign keys, indexes, views, triggers,
 * routines, an event, generated columns, a sequence a column's default draws from) filled with
 * awkward data from a fixed seed: utf8mb4 with emoji, tabs, newlines and backslashes, NULL next to
 * empty strings and empty BLOBs, bytes 0x00 to 0xff, zero dates, DATETIME(6), DECIMAL(65,30), JSON,
 * BIT, unsigned BIGINT. Five tenants.
 */
final class AwkwardMySql {
    static final int TENANTS = 5;
    private static final String[] WORDS = {"", "plain", "tab\there", "new\nline", "back\\slash", "\\N", "NULL",
            "emoji 😀🎉", "ünïcödé", "quote ' \" `", "cr\rlf", "nul\u0000byte", "中文字符", "  spaces  "};

    private AwkwardMySql() {
    }

    /** Creates the schema in {@code database} (which must exist and be empty) and fills it. */
    static void create(String database, int invoicesPerTenant) throws SQLException, IOException {
        try (Connection c = EmbeddedMariaDbServer.root(database + "?allowMultiQueries=true");
             Statement st = c.createStatement();
             InputStream in = AwkwardMySql.class.getResourceAsStream("/mysql/awkward.sql")) {
            st.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        try (Connection c = EmbeddedMariaDbServer.root(database)) {
            fill(c, invoicesPerTenant);
        }
    }

    private static void fill(Connection c, int invoicesPerTenant) throws SQLException {
        Random random = new Random(42);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = ''");
            st.execute("SET time_zone = '+00:00'");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO companies (id, name, created) VALUES (?, ?, ?)")) {
            for (int t = 1; t <= TENANTS; t++) {
                ps.setInt(1, t);
                ps.setString(2, "Company " + t + " " + WORDS[t % WORDS.length]);
                ps.setString(3, "2026-0" + t + "-1" + t + " 10:20:30." + (123456 + t));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement inv = c.prepareStatement("INSERT INTO invoices (tenant_id, number, amount, note,"
                + " issued, paid, flags, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
             PreparedStatement item = c.prepareStatement("INSERT INTO invoice_items (invoice_id, line, description,"
                     + " qty, price) VALUES (?, ?, ?, ?, ?)")) {
            for (int t = 1; t <= TENANTS; t++) {
                for (int i = 0; i < invoicesPerTenant; i++) {
                    inv.setInt(1, t);
                    inv.setString(2, "INV-" + t + "-" + i);
                    inv.setBigDecimal(3, BigDecimal.valueOf(random.nextInt(10_000_000), 4));
                    inv.setString(4, i % 7 == 0 ? null : WORDS[random.nextInt(WORDS.length)] + " " + i);
                    inv.setString(5, i % 11 == 0 ? "0000-00-00" : "2026-" + (1 + i % 12) + "-" + (1 + i % 28));
                    inv.setString(6, i % 3 == 0 ? null : "2026-11-2" + (i % 9) + " 12:34:56." + String.format("%06d",
                            random.nextInt(1_000_000)));
                    inv.setLong(7, i % 32);
                    inv.setString(8, i % 5 == 0 ? null : "{\"n\": " + i + ", \"tags\": [\"a\", \"😀\"], \"s\": \"x\\ty\"}");
                    inv.executeUpdate();
                    long id;
                    try (ResultSet keys = inv.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                    for (int line = 0; line < 1 + random.nextInt(4); line++) {
                        item.setLong(1, id);
                        item.setInt(2, line);
                        item.setString(3, WORDS[random.nextInt(WORDS.length)]);
                        item.setBigDecimal(4, BigDecimal.valueOf(random.nextInt(100_000), 3));
                        item.setBigDecimal(5, new BigDecimal("12345678901234567890123456789012345.123456789012345678901234567890")
                                .movePointLeft(random.nextInt(30)));
                        item.addBatch();
                    }
                }
                item.executeBatch();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO documents (tenant_id, name, body, small, zero_date,"
                + " zero_dt, t, y, f, d, e, s, big) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < 60; i++) {
                byte[] body = new byte[i % 4 == 0 ? 0 : random.nextInt(5000)];
                random.nextBytes(body);
                ps.setInt(1, 1 + i % TENANTS);
                ps.setString(2, i % 6 == 0 ? null : WORDS[i % WORDS.length] + " doc " + i);
                if (i % 9 == 1) {
                    ps.setNull(3, java.sql.Types.BLOB);
                } else {
                    ps.setBytes(3, body);
                }
                ps.setBytes(4, i % 5 == 0 ? new byte[0] : new byte[]{0, 10, 9, 92, (byte) 0xff, (byte) i});
                ps.setString(5, i % 2 == 0 ? "0000-00-00" : "1999-12-31");
                ps.setString(6, i % 3 == 0 ? "0000-00-00 00:00:00" : "2038-01-19 03:14:07");
                ps.setString(7, i % 4 == 0 ? "-838:59:59.999" : "12:00:00.5");
                ps.setInt(8, 1901 + i);
                ps.setFloat(9, random.nextFloat() * 1e10f);
                ps.setDouble(10, i % 7 == 0 ? -0.0 : random.nextDouble() / 3);
                ps.setString(11, i % 4 == 0 ? null : String.valueOf((char) ('a' + i % 3)));
                ps.setString(12, i % 4 == 0 ? "" : "x,z");
                ps.setString(13, i % 2 == 0 ? "18446744073709551615" : String.valueOf(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO `select` VALUES (?, ?)")) {
            for (int i = 0; i < 10; i++) {
                ps.setInt(1, i);
                ps.setString(2, i % 3 == 0 ? null : "café " + i);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /**
     * Every schema object as {@code SHOW CREATE} prints it, keyed by kind and name; the database's
     * own name, where a statement names it, reads {@code `DB`}.
     */
    static Map<String, String> showCreate(String database) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = EmbeddedMariaDbServer.root(database); Statement st = c.createStatement()) {
            List<String[]> objects = new ArrayList<>();
            try (ResultSet r = st.executeQuery("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
                    + " WHERE TABLE_SCHEMA = DATABASE()")) {
                while (r.next()) {
                    String type = r.getString(2);
                    objects.add(new String[]{type.equals("VIEW") || type.equals("SEQUENCE") ? type : "TABLE",
                            r.getString(1)});
                }
            }
            try (ResultSet r = st.executeQuery("SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES"
                    + " WHERE ROUTINE_SCHEMA = DATABASE()")) {
                while (r.next()) {
                    objects.add(new String[]{r.getString(1), r.getString(2)});
                }
            }
            try (ResultSet r = st.executeQuery("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"
                    + " WHERE TRIGGER_SCHEMA = DATABASE()")) {
                while (r.next()) {
                    objects.add(new String[]{"TRIGGER", r.getString(1)});
                }
            }
            try (ResultSet r = st.executeQuery("SELECT EVENT_NAME FROM information_schema.EVENTS"
                    + " WHERE EVENT_SCHEMA = DATABASE()")) {
                while (r.next()) {
                    objects.add(new String[]{"EVENT", r.getString(1)});
                }
            }
            for (String[] o : objects) {
                try (ResultSet r = st.executeQuery("SHOW CREATE " + o[0] + " `" + o[1] + "`")) {
                    r.next();
                    StringBuilder sb = new StringBuilder();
                    for (int i = 2; i <= r.getMetaData().getColumnCount(); i++) {
                        String label = r.getMetaData().getColumnLabel(i);
                        if (!label.equals("Created")) {
                            sb.append(label).append('=').append(r.getString(i)).append('\n');
                        }
                    }
                    // a default drawing from a sequence names the table's own database
                    out.put(o[0] + " " + o[1], sb.toString().replace("`" + database + "`.", "`DB`."));
                }
            }
        }
        return out;
    }
}
