package io.restorekit.catalog;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The catalog in a JDBC database migrated by Flyway ({@code db/catalog}): an H2 file under
 * {@code RK_HOME} by default, PostgreSQL when several hosts share it. Each operation takes its own
 * connection and gives it back, so an embedded H2 file is free for the next rk process as soon as
 * this one is between operations (a daemon does not lock the CLI out); when another process holds
 * it for a moment, the connection is retried. Times are kept to the microsecond.
 */
public final class JdbcCatalog implements Catalog {
    /** The newest migration in {@code db/catalog}; a database at this version opens without Flyway. */
    static final String SCHEMA_VERSION = "1";
    private static final String HISTORY_TABLE = "rk_schema_history";
    private static final String RUN_COLUMNS = "id, kind, source, snapshot, repository, started, ended, status, error,"
            + " bytes_read, bytes_added, bytes_stored, file_count, row_count, details, actor_user, actor_host,"
            + " runbook, runbook_commit";
    private static final String ALERT_COLUMNS = "id, alert_key, kind, subject, severity, message, opened, last_seen,"
            + " cleared";
    private static final int H2_IN_USE = 90020;
    private static final System.Logger LOG = System.getLogger(JdbcCatalog.class.getName());

    private final String url;
    /** {@link #url} with the settings this class adds for an embedded H2 file (see {@link #connectUrl}). */
    private final String connectUrl;
    private final Properties credentials;
    private final Object holdLock = new Object();
    private Connection held;
    private int holds;
    /** The embedded H2 file, or null for a database server. */
    private final Path h2File;
    /** The file's size when this process last asked H2 how full it is (guarded by holdLock). */
    private long checkedSize;

    private JdbcCatalog(String url, String user, String password) {
        this.url = url;
        this.connectUrl = connectUrl(url);
        this.h2File = url.startsWith("jdbc:h2:file:")
                ? Path.of(url.substring("jdbc:h2:file:".length()).split(";", 2)[0] + ".mv.db").toAbsolutePath() : null;
        this.credentials = new Properties();
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
    }

    /**
     * Opens the catalog at {@code url}, creating or migrating its schema when it is not current.
     * {@code user} and {@code password} may be null (then the URL's own parameters apply).
     */
    public static JdbcCatalog open(String url, String user, String password) {
        JdbcCatalog catalog = new JdbcCatalog(url, user, password);
        catalog.createFolder();
        if (!catalog.isCurrent()) {
            catalog.migrate();
        }
        return catalog;
    }

    @Override
    public String location() {
        int parameters = url.indexOf('?');
        return parameters < 0 ? url : url.substring(0, parameters);
    }

    /**
     * The URL connections use. An embedded H2 file is closed by each rk process at its end (and
     * between the calls of one). H2 2.3 then compacts the file in place for up to 200 ms by default,
     * moving chunks and syncing them again and again: a fifth of a second added to every command
     * that records a run, and the step in which H2 2.3.232 has been seen to lose the last committed
     * changes (a run recorded, then missing when the same process reopened the file). So the file
     * is closed without compacting ({@code MAX_COMPACT_TIME=0}, unless the configured URL sets it),
     * and {@link #compactIfSparse} rewrites it whole when it has grown mostly empty.
     */
    static String connectUrl(String url) {
        if (url.startsWith("jdbc:h2:file:") && !url.toUpperCase(java.util.Locale.ROOT).contains(";MAX_COMPACT_TIME=")) {
            return url + ";MAX_COMPACT_TIME=0";
        }
        return url;
    }

    /** Applies the pending migrations; returns how many ran. */
    int migrate() {
        try {
            Flyway flyway = Flyway.configure(JdbcCatalog.class.getClassLoader())
                    .dataSource(connectUrl, credentials.getProperty("user"), credentials.getProperty("password"))
                    .locations("classpath:db/catalog")
                    .table(HISTORY_TABLE)
                    .load();
            return flyway.migrate().migrationsExecuted;
        } catch (FlywayException e) {
            throw new RkException(ErrorCode.UNREACHABLE, "catalog '" + location() + "' cannot be migrated: "
                    + e.getMessage() + "; check 'catalog.url' and that the database is reachable", e);
        }
    }

    private boolean isCurrent() {
        try (Connection c = connect()) {
            // Asked of the metadata first: querying a missing table would leave its error in H2's
            // trace file beside a new catalog.
            try (ResultSet tables = c.getMetaData().getTables(null, null, HISTORY_TABLE, null)) {
                if (!tables.next()) {
                    return false;
                }
            }
            try (PreparedStatement st = c.prepareStatement("select count(*) from \"" + HISTORY_TABLE
                    + "\" where \"version\" = ? and \"success\" = true")) {
                st.setString(1, SCHEMA_VERSION);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() && rs.getLong(1) > 0;
                }
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private void createFolder() {
        if (h2File != null) {
            Path parent = h2File.getParent();
            try {
                Files.createDirectories(parent);
            } catch (java.io.IOException e) {
                throw new RkException(ErrorCode.FAILED, "cannot create the catalog folder '" + parent + "': "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * An embedded (H2 file) database is opened by a process's first connection and closed, and
     * compacted, by its last: while one connection is held, each call's own connection finds it
     * open. Other processes wait for the hold to end (see {@link #connect()}), so holds are kept
     * to a few calls. With a database server it only keeps one idle connection.
     */
    @Override
    public Held hold() {
        synchronized (holdLock) {
            if (holds == 0) {
                try {
                    held = connect();
                } catch (SQLException e) {
                    // Not held: each call opens the database itself and reports what fails.
                    return () -> { };
                }
            }
            holds++;
        }
        boolean[] released = new boolean[1];
        return () -> {
            synchronized (holdLock) {
                if (released[0]) {
                    return;
                }
                released[0] = true;
                if (--holds == 0) {
                    Connection c = held;
                    held = null;
                    try {
                        c.close();
                    } catch (SQLException e) {
                        LOG.log(System.Logger.Level.WARNING, "closing the catalog: " + e.getMessage());
                    }
                }
            }
        };
    }

    private Connection connect() throws SQLException {
        Connection c = connectOnce();
        if (h2File != null && compactIfSparse(c)) {
            c = connectOnce();
        }
        return c;
    }

    /** Files over this size are compacted once less than half of their chunks' space is in use. */
    static final long COMPACT_ABOVE = 1 << 20;

    /**
     * Closing without compacting leaves the space of replaced chunks to be reused, and the file grows
     * by tens of kilobytes per run. When it is over {@link #COMPACT_ABOVE} and H2 reports less than
     * half of it in use, the database is shut down with {@code SHUTDOWN COMPACT}, which copies the
     * live data into a new file and swaps it in (H2's offline compaction, not the in-place one), and
     * {@code c} is closed by it: returns true. Only when {@code c} is this process's one connection.
     * Asked again once the file has grown by a quarter since.
     */
    private boolean compactIfSparse(Connection c) {
        long size;
        try {
            size = Files.size(h2File);
        } catch (java.io.IOException e) {
            return false;
        }
        synchronized (holdLock) {
            if (holds > 0 || size < COMPACT_ABOVE || size < checkedSize + checkedSize / 4) {
                return false;
            }
            checkedSize = size;
            boolean compacted = false;
            try (Statement st = c.createStatement()) {
                long sessions;
                try (ResultSet rs = st.executeQuery("select count(*) from information_schema.sessions")) {
                    rs.next();
                    sessions = rs.getLong(1);
                }
                int fill = 100;
                try (ResultSet rs = st.executeQuery("select setting_value from information_schema.settings"
                        + " where setting_name = 'info.CHUNKS_FILL_RATE'")) {
                    if (rs.next()) {
                        fill = Integer.parseInt(rs.getString(1).strip());
                    }
                }
                if (sessions != 1 || fill >= 50) {
                    return false;
                }
                compacted = true;
                checkedSize = 0;
                st.execute("SHUTDOWN COMPACT");
                return true;
            } catch (SQLException | RuntimeException e) {
                // closing the statement of a connection the shutdown closed fails; that is expected
                if (!compacted) {
                    LOG.log(System.Logger.Level.WARNING, "compacting the catalog: " + e.getMessage());
                }
                return compacted;
            }
        }
    }

    private Connection connectOnce() throws SQLException {
        SQLException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                return DriverManager.getConnection(connectUrl, credentials);
            } catch (SQLException e) {
                if (e.getErrorCode() != H2_IN_USE) {
                    throw e;
                }
                // Another rk process is between its own statements on the embedded file: wait for it.
                last = e;
                sleep(100);
            }
        }
        throw last;
    }

    private RkException failure(String what, SQLException e) {
        return new RkException(ErrorCode.UNREACHABLE, "catalog '" + location() + "': cannot " + what + ": "
                + e.getMessage() + "; check 'catalog.url' and that the database is reachable", e);
    }

    @Override
    public Run record(Run run) {
        Run stored = truncate(run);
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("insert into rk_run (kind, source, snapshot, repository,"
                     + " started, ended, status, error, bytes_read, bytes_added, bytes_stored, file_count, row_count,"
                     + " details, actor_user, actor_host, runbook, runbook_commit)"
                     + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[]{"id"})) {
            bindRun(st, stored, 1);
            st.executeUpdate();
            return stored.withId(generatedId(st));
        } catch (SQLException e) {
            throw failure("record a " + run.kind() + " run", e);
        }
    }

    @Override
    public void update(Run run) {
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("update rk_run set kind = ?, source = ?, snapshot = ?,"
                     + " repository = ?, started = ?, ended = ?, status = ?, error = ?, bytes_read = ?,"
                     + " bytes_added = ?, bytes_stored = ?, file_count = ?, row_count = ?, details = ?,"
                     + " actor_user = ?, actor_host = ?, runbook = ?, runbook_commit = ? where id = ?")) {
            int next = bindRun(st, truncate(run), 1);
            st.setLong(next, run.id());
            if (st.executeUpdate() == 0) {
                throw new IllegalArgumentException("no run " + run.id() + " in the catalog");
            }
        } catch (SQLException e) {
            throw failure("update run " + run.id(), e);
        }
    }

    @Override
    public Optional<Run> run(long id) {
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("select " + RUN_COLUMNS + " from rk_run where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(run(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read run " + id, e);
        }
    }

    @Override
    public List<Run> runs(RunQuery query) {
        StringBuilder sql = new StringBuilder("select ").append(RUN_COLUMNS).append(" from rk_run where 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.kind() != null) {
            sql.append(" and kind = ?");
            args.add(query.kind().name());
        }
        if (query.source() != null) {
            sql.append(" and source = ?");
            args.add(query.source());
        }
        if (query.since() != null) {
            sql.append(" and started >= ?");
            args.add(time(query.since()));
        }
        sql.append(" order by started desc, id desc");
        if (query.limit() > 0) {
            sql.append(" fetch first ").append(query.limit()).append(" rows only");
        }
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                st.setObject(i + 1, args.get(i));
            }
            List<Run> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(run(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("list runs", e);
        }
    }

    @Override
    public AuditEntry audit(AuditEntry entry) {
        Instant at = entry.at().truncatedTo(ChronoUnit.MICROS);
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("insert into rk_audit (recorded_at, actor_user, actor_host,"
                     + " runbook, runbook_commit, command, outcome, exit_code, message)"
                     + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[]{"id"})) {
            st.setObject(1, time(at));
            int next = bindActor(st, entry.actor(), 2);
            st.setString(next++, entry.command());
            st.setString(next++, entry.outcome());
            st.setInt(next++, entry.exitCode());
            st.setString(next, entry.message());
            st.executeUpdate();
            return new AuditEntry(generatedId(st), at, entry.actor(), entry.command(), entry.outcome(),
                    entry.exitCode(), entry.message());
        } catch (SQLException e) {
            throw failure("record the audit entry of '" + entry.command() + "'", e);
        }
    }

    @Override
    public List<AuditEntry> audits(Instant since, int limit) {
        String sql = "select id, recorded_at, actor_user, actor_host, runbook, runbook_commit, command, outcome,"
                + " exit_code, message from rk_audit" + (since == null ? "" : " where recorded_at >= ?")
                + " order by recorded_at desc, id desc" + (limit > 0 ? " fetch first " + limit + " rows only" : "");
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
            if (since != null) {
                st.setObject(1, time(since));
            }
            List<AuditEntry> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEntry(rs.getLong(1), instant(rs, 2), actor(rs, 3), rs.getString(7),
                            rs.getString(8), rs.getInt(9), rs.getString(10)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("list the audit trail", e);
        }
    }

    @Override
    public AlertRecord saveAlert(AlertRecord alert) {
        try (Connection c = connect()) {
            if (alert.id() == 0) {
                try (PreparedStatement st = c.prepareStatement("insert into rk_alert (alert_key, kind, subject,"
                        + " severity, message, opened, last_seen, cleared) values (?, ?, ?, ?, ?, ?, ?, ?)",
                        new String[]{"id"})) {
                    bindAlert(st, alert);
                    st.executeUpdate();
                    return read(c, generatedId(st));
                }
            }
            try (PreparedStatement st = c.prepareStatement("update rk_alert set alert_key = ?, kind = ?, subject = ?,"
                    + " severity = ?, message = ?, opened = ?, last_seen = ?, cleared = ? where id = ?")) {
                bindAlert(st, alert);
                st.setLong(9, alert.id());
                if (st.executeUpdate() == 0) {
                    throw new IllegalArgumentException("no alert " + alert.id() + " in the catalog");
                }
                return read(c, alert.id());
            }
        } catch (SQLException e) {
            throw failure("record alert '" + alert.key() + "'", e);
        }
    }

    @Override
    public Optional<AlertRecord> openAlert(String key) {
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("select " + ALERT_COLUMNS
                     + " from rk_alert where alert_key = ? and cleared is null order by opened desc, id desc")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(alert(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read alert '" + key + "'", e);
        }
    }

    @Override
    public List<AlertRecord> alerts(Instant since, boolean openOnly) {
        StringBuilder sql = new StringBuilder("select " + ALERT_COLUMNS + " from rk_alert where 1 = 1");
        if (openOnly) {
            sql.append(" and cleared is null");
        }
        if (since != null) {
            sql.append(" and (cleared is null or cleared >= ? or opened >= ?)");
        }
        sql.append(" order by opened desc, id desc");
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql.toString())) {
            if (since != null) {
                st.setObject(1, time(since));
                st.setObject(2, time(since));
            }
            List<AlertRecord> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(alert(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("list alerts", e);
        }
    }

    private AlertRecord read(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select " + ALERT_COLUMNS + " from rk_alert where id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return alert(rs);
            }
        }
    }

    private static void bindAlert(PreparedStatement st, AlertRecord a) throws SQLException {
        st.setString(1, a.key());
        st.setString(2, a.kind());
        st.setString(3, a.subject());
        st.setString(4, a.severity());
        st.setString(5, a.message());
        st.setObject(6, time(a.opened()));
        st.setObject(7, time(a.lastSeen()));
        setTime(st, 8, a.cleared());
    }

    private static AlertRecord alert(ResultSet rs) throws SQLException {
        return new AlertRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), instant(rs, 7), instant(rs, 8), instant(rs, 9));
    }

    private static int bindRun(PreparedStatement st, Run r, int first) throws SQLException {
        int i = first;
        st.setString(i++, r.kind().name());
        st.setString(i++, r.source());
        st.setString(i++, r.snapshot());
        st.setString(i++, r.repository());
        st.setObject(i++, time(r.started()));
        setTime(st, i++, r.ended());
        st.setString(i++, r.status().name());
        st.setString(i++, r.error());
        st.setLong(i++, r.bytesRead());
        st.setLong(i++, r.bytesAdded());
        st.setLong(i++, r.bytesStored());
        st.setLong(i++, r.files());
        st.setLong(i++, r.rows());
        st.setString(i++, r.details());
        return bindActor(st, r.actor(), i);
    }

    private static int bindActor(PreparedStatement st, Actor a, int first) throws SQLException {
        int i = first;
        st.setString(i++, a == null ? null : a.user());
        st.setString(i++, a == null ? null : a.host());
        st.setString(i++, a == null ? null : a.runbook());
        st.setString(i++, a == null ? null : a.runbookCommit());
        return i;
    }

    private static Run run(ResultSet rs) throws SQLException {
        return new Run(rs.getLong(1), RunKind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), instant(rs, 6), instant(rs, 7), RunStatus.valueOf(rs.getString(8)), rs.getString(9),
                rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getString(15),
                actor(rs, 16));
    }

    private static Actor actor(ResultSet rs, int first) throws SQLException {
        String user = rs.getString(first);
        String host = rs.getString(first + 1);
        String runbook = rs.getString(first + 2);
        String commit = rs.getString(first + 3);
        return user == null && host == null && runbook == null && commit == null ? null
                : new Actor(user, host, runbook, commit);
    }

    private static Run truncate(Run r) {
        return new Run(r.id(), r.kind(), r.source(), r.snapshot(), r.repository(),
                r.started().truncatedTo(ChronoUnit.MICROS),
                r.ended() == null ? null : r.ended().truncatedTo(ChronoUnit.MICROS), r.status(), r.error(),
                r.bytesRead(), r.bytesAdded(), r.bytesStored(), r.files(), r.rows(), r.details(), r.actor());
    }

    private static long generatedId(Statement st) throws SQLException {
        try (ResultSet keys = st.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("the database returned no generated id");
            }
            return keys.getLong(1);
        }
    }

    private static OffsetDateTime time(Instant at) {
        return OffsetDateTime.ofInstant(at.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static void setTime(PreparedStatement st, int index, Instant at) throws SQLException {
        if (at == null) {
            st.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            st.setObject(index, time(at));
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RkException(ErrorCode.FAILED, "interrupted while waiting for the catalog");
        }
    }
}
