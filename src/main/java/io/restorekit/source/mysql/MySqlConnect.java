package io.restorekit.source.mysql;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens MariaDB Connector/J connections (for MySQL as well: {@code jdbc:mysql:} URLs are served by
 * the same driver) with the session settings every dump and load shares, and turns driver errors
 * into operator messages: unreachable server (exit 6), refused login, missing privilege.
 */
public final class MySqlConnect {
    private static final Pattern URL = Pattern.compile("jdbc:(mariadb|mysql)://([^/?]*)/([^?]*)(\\?.*)?");

    /**
     * Fixed formats: the text of a row (and so its digest) must not depend on the server's or the
     * client's defaults. {@code NO_AUTO_VALUE_ON_ZERO} keeps a stored 0 in an AUTO_INCREMENT column;
     * the empty rest of the mode lets zero dates load as they were dumped.
     */
    static final String[] SESSION = {
            "SET NAMES utf8mb4", "SET time_zone = '+00:00'",
            "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'",
            "SET SESSION net_write_timeout = 3600", "SET SESSION net_read_timeout = 3600"};

    private final String url;
    private final String username;
    private final String password;
    private final String passwordEnv;

    public MySqlConnect(String url, String username, String password, String passwordEnv) {
        if (url == null || !URL.matcher(url).matches()) {
            throw new RkException(ErrorCode.BAD_INPUT, "'" + redact(url) + "' is not a MySQL or MariaDB JDBC URL;"
                    + " expected jdbc:mariadb://HOST[:PORT]/DATABASE or jdbc:mysql://HOST[:PORT]/DATABASE");
        }
        this.url = url;
        this.username = username;
        this.password = password;
        this.passwordEnv = passwordEnv;
    }

    public static MySqlConnect of(MySqlSourceSpec spec) {
        return new MySqlConnect(spec.url(), spec.username(), spec.password(), spec.passwordEnv());
    }

    /** Whether {@code url} names a MySQL or MariaDB database. */
    public static boolean accepts(String url) {
        return url != null && (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:"));
    }

    /** The URL as messages show it: a {@code password} parameter is masked. */
    public String url() {
        return redact(url);
    }

    public static String redact(String url) {
        return url == null ? null : url.replaceAll("([?&]password=)[^&]*", "$1***");
    }

    /** The database name in the URL. */
    public String database() {
        Matcher m = URL.matcher(url);
        m.matches();
        return java.net.URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
    }

    /** The same server, another database ("" for none: to create or drop one). */
    public MySqlConnect withDatabase(String database) {
        Matcher m = URL.matcher(url);
        m.matches();
        return new MySqlConnect("jdbc:" + m.group(1) + "://" + m.group(2) + "/" + database
                + (m.group(4) == null ? "" : m.group(4)), username, password, passwordEnv);
    }

    /** A connection in autocommit mode with the shared session settings. */
    public Connection open() {
        Properties props = new Properties();
        if (username != null) {
            props.setProperty("user", username);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10000");
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("allowLocalInfile", "true");
        props.setProperty("useAffectedRows", "false");
        // Connector/J for MariaDB serves jdbc:mysql: URLs too when told to.
        String jdbc = url.startsWith("jdbc:mysql:") ? "jdbc:mariadb:" + url.substring("jdbc:mysql:".length()) : url;
        try {
            Connection c = DriverManager.getConnection(jdbc, props);
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
        int code = e.getErrorCode();
        String who = username == null ? "the configured user" : "user '" + username + "'";
        if (code == 1045 || state.equals("28000")) {
            if (password == null && passwordEnv != null) {
                return new RkException(ErrorCode.FAILED, "MySQL at '" + url() + "' refused " + who + ": "
                        + e.getMessage() + "; $" + passwordEnv + " is not set", e);
            }
            return new RkException(ErrorCode.FAILED, "MySQL at '" + url() + "' refused " + who + ": "
                    + e.getMessage() + "; check the username" + (passwordEnv == null ? " and password"
                    : " and the password in $" + passwordEnv), e);
        }
        if (mentions(e, "RSA public key")) {
            // MySQL 8's default caching_sha2_password (and sha256_password) send the password
            // encrypted with the server's RSA key when the connection is not TLS; the driver does
            // not fetch that key unless told to.
            return new RkException(ErrorCode.FAILED, "MySQL at '" + url() + "' asks " + who + " to log in with"
                    + " caching_sha2_password over an unencrypted connection, which needs the server's RSA public"
                    + " key: " + e.getMessage() + "; connect with TLS (sslMode=verify-full in the URL), or give"
                    + " the key (serverRsaPublicKeyFile=PATH, a copy of the server's public_key.pem), or, on a"
                    + " trusted network, let the driver fetch it (allowPublicKeyRetrieval=true)", e);
        }
        if (state.startsWith("08") || causedBy(e, ConnectException.class) || causedBy(e, UnknownHostException.class)
                || causedBy(e, NoRouteToHostException.class)) {
            return new RkException(ErrorCode.UNREACHABLE, "cannot " + action + " MySQL at '" + url() + "': "
                    + e.getMessage() + "; check the URL and that the server is running and reachable", e);
        }
        if (code == 1049) {
            return new RkException(ErrorCode.FAILED, "database '" + database() + "' does not exist on '" + url()
                    + "'; check the URL", e);
        }
        if (code == 1044 || code == 1142 || code == 1227 || code == 1143) {
            return new RkException(ErrorCode.FAILED, "MySQL at '" + url() + "': " + who + " lacks a privilege: "
                    + e.getMessage() + "; grant it (a backup needs SELECT, SHOW VIEW, TRIGGER, EVENT and, for"
                    + " jobs > 1, RELOAD), or use another user", e);
        }
        return new RkException(ErrorCode.FAILED, "cannot " + action + " MySQL at '" + url() + "': "
                + e.getMessage(), e);
    }

    private static boolean mentions(Throwable e, String text) {
        return anyInChain(e, t -> t.getMessage() != null && t.getMessage().contains(text));
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        return anyInChain(e, type::isInstance);
    }

    private static boolean anyInChain(Throwable e, java.util.function.Predicate<Throwable> test) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    /** {@code `name`}: always quoted, so mixed case and reserved words survive. */
    public static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /** A string literal that reads the same under any {@code sql_mode} (no backslash escapes needed). */
    public static String literal(String s) {
        if (s == null) {
            return "NULL";
        }
        return "_utf8mb4 X'" + io.restorekit.common.Hex.encode(s.getBytes(StandardCharsets.UTF_8)) + "'";
    }
}
