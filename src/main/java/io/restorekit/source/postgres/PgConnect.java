package io.restorekit.source.postgres;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens JDBC connections with the session settings every dump and load shares, and turns driver
 * errors into operator messages: unreachable server (exit 6), refused login, missing privilege.
 */
public final class PgConnect {
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/?]*)/([^?]*)(\\?.*)?");

    /**
     * Fixed output formats: the COPY text of a row (and so its digest) must not depend on the
     * server's or the client's defaults, and must parse back on the restore side.
     */
    static final String[] SESSION = {
            "SET client_encoding = 'UTF8'", "SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'",
            "SET TimeZone = 'UTC'", "SET extra_float_digits = 3", "SET bytea_output = 'hex'",
            "SET standard_conforming_strings = on", "SET search_path = pg_catalog",
            // A scan joining another one mid-table would rotate the stream and defeat deduplication.
            "SET synchronize_seqscans = off"};

    private final String url;
    private final String username;
    private final String password;
    private final String passwordEnv;
    /** Connections being opened ahead of {@link #open()} ({@link #prepare}); handed out first. */
    private final java.util.Queue<java.util.concurrent.CompletableFuture<Connection>> prepared =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    public PgConnect(String url, String username, String password, String passwordEnv) {
        if (url == null || !URL.matcher(url).matches()) {
            throw new RkException(ErrorCode.BAD_INPUT, "'" + redact(url) + "' is not a PostgreSQL JDBC URL; expected "
                    + "jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        this.url = url;
        this.username = username;
        this.password = password;
        this.passwordEnv = passwordEnv;
    }

    public static PgConnect of(PostgresSourceSpec spec) {
        return new PgConnect(spec.url(), spec.username(), spec.password(), spec.passwordEnv());
    }

    /** The URL as messages show it: a {@code password} parameter is masked. */
    public String url() {
        return redact(url);
    }

    /** {@code url} with the value of a {@code password} parameter replaced by {@code ***}. */
    public static String redact(String url) {
        return url == null ? null : url.replaceAll("([?&]password=)[^&]*", "$1***");
    }

    /** The database name in the URL. */
    public String database() {
        Matcher m = URL.matcher(url);
        m.matches();
        return java.net.URLDecoder.decode(m.group(2), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The same server, another database (to create or inspect the target). */
    public PgConnect withDatabase(String database) {
        Matcher m = URL.matcher(url);
        m.matches();
        return new PgConnect("jdbc:postgresql://" + m.group(1) + "/" + database
                + (m.group(3) == null ? "" : m.group(3)), username, password, passwordEnv);
    }

    /**
     * The same server, database and login for libpq tools such as {@code pg_dump}: {@code PGHOST},
     * {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD} and {@code PGSSLMODE}
     * (the URL's {@code user}, {@code password} and {@code sslmode} parameters win, as for JDBC).
     * Null when the URL names several hosts.
     */
    Map<String, String> libpqEnvironment() {
        Matcher m = URL.matcher(url);
        m.matches();
        String hosts = m.group(1);
        if (hosts.contains(",")) {
            return null;
        }
        Map<String, String> env = new java.util.LinkedHashMap<>();
        Matcher hp = Pattern.compile("(\\[[^\\]]*\\]|[^:]*)(?::(\\d+))?").matcher(hosts);
        hp.matches();
        env.put("PGHOST", hp.group(1).isEmpty() ? "localhost" : hp.group(1).replaceAll("^\\[|\\]$", ""));
        env.put("PGPORT", hp.group(2) == null ? "5432" : hp.group(2));
        env.put("PGDATABASE", database());
        if (username != null) {
            env.put("PGUSER", username);
        }
        if (password != null) {
            env.put("PGPASSWORD", password);
        } else if (passwordEnv != null && System.getenv(passwordEnv) != null) {
            env.put("PGPASSWORD", System.getenv(passwordEnv));
        }
        if (m.group(3) != null) {
            for (String pair : m.group(3).substring(1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String value = java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                switch (pair.substring(0, eq)) {
                    case "user" -> env.put("PGUSER", value);
                    case "password" -> env.put("PGPASSWORD", value);
                    case "sslmode" -> env.put("PGSSLMODE", value);
                    default -> {
                    }
                }
            }
        }
        return env;
    }

    /** A connection in autocommit mode with the shared session settings. */
    public Connection open() {
        java.util.concurrent.CompletableFuture<Connection> early = prepared.poll();
        if (early != null) {
            try {
                return early.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RkException failure) {
                    throw failure;
                }
                // opened again below, reporting what fails
            }
        }
        return connect();
    }

    /**
     * Starts opening {@code n} connections on background threads, for an operation that will need
     * them once it has read what it needs from the repository: logging in (a SCRAM key derivation
     * and the session settings) then overlaps with that instead of following it. {@link #open()}
     * hands them out first, failures included; {@link #closePrepared()} closes those left over.
     */
    public PgConnect prepare(int n) {
        for (int i = 0; i < n; i++) {
            java.util.concurrent.CompletableFuture<Connection> f = new java.util.concurrent.CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(connect());
                } catch (RuntimeException | LinkageError e) {
                    f.completeExceptionally(e);
                }
            }, "rk-pg-connect");
            t.setDaemon(true);
            t.start();
            prepared.add(f);
        }
        return this;
    }

    /** Closes the connections {@link #prepare} opened and {@link #open()} did not hand out. */
    public void closePrepared() {
        java.util.concurrent.CompletableFuture<Connection> f;
        while ((f = prepared.poll()) != null) {
            try {
                f.join().close();
            } catch (RuntimeException | SQLException ignored) {
                // never used: nothing to report
            }
        }
    }

    private Connection connect() {
        Properties props = new Properties();
        if (username != null) {
            props.setProperty("user", username);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "restorekit");
        props.setProperty("connectTimeout", "10");
        props.setProperty("tcpKeepAlive", "true");
        try {
            Connection c = DriverManager.getConnection(url, props);
            try (Statement st = c.createStatement()) {
                for (String s : SESSION) {
                    st.execute(s);
                }
            }
            return c;
        } catch (SQLException e) {
            throw failure("connect to", e);
        }
    }

    /** An operator message for a failed {@code action} ("connect to", "back up", ...). */
    public RkException failure(String action, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String who = username == null ? "the configured user" : "user '" + username + "'";
        if (state.startsWith("08") || causedBy(e, ConnectException.class) || causedBy(e, UnknownHostException.class)
                || causedBy(e, NoRouteToHostException.class)) {
            return new RkException(ErrorCode.UNREACHABLE, "cannot " + action + " PostgreSQL at '" + url() + "': "
                    + e.getMessage() + "; check the URL and that the server is running and reachable", e);
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new RkException(ErrorCode.FAILED, "PostgreSQL at '" + url() + "' refused " + who + ": "
                    + e.getMessage() + "; check the username" + (passwordEnv == null ? " and password"
                    : " and the password in $" + passwordEnv), e);
        }
        if (state.equals("42501")) {
            return new RkException(ErrorCode.FAILED, "PostgreSQL at '" + url() + "': " + who
                    + " lacks a privilege: " + e.getMessage()
                    + "; grant it, or use a role that may read every table (e.g. a member of pg_read_all_data)", e);
        }
        if (state.equals("3D000")) {
            return new RkException(ErrorCode.FAILED, "database '" + database() + "' does not exist on '" + url()
                    + "'; check the URL", e);
        }
        if (password == null && passwordEnv != null && e.getMessage() != null
                && e.getMessage().contains("password")) {
            return new RkException(ErrorCode.FAILED, "PostgreSQL at '" + url() + "' wants a password but $"
                    + passwordEnv + " is not set", e);
        }
        return new RkException(ErrorCode.FAILED, "cannot " + action + " PostgreSQL at '" + url() + "': "
                + e.getMessage(), e);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** {@code "a"."b"}: always quoted, so mixed case and reserved words survive. */
    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    public static String literal(String s) {
        return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }
}
