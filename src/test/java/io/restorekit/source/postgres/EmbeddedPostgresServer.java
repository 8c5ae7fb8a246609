package io.restorekit.source.postgres;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded PostgreSQL servers of the test JVM, one per major, each started on first use
 * with its data under {@code target/tmp} and stopped when the JVM exits. Tests create their own
 * databases on them. The default server is PostgreSQL 17 (the binaries on the class path);
 * {@link #pg15()} is PostgreSQL 15, whose binaries the build copies to {@code target/postgres15}
 * (system property {@code restorekit.test.postgres15}), for tests that drive Debian's pg_dump 15.
 */
public final class EmbeddedPostgresServer {
    private static EmbeddedServer server;
    private static EmbeddedServer server15;

    private EmbeddedPostgresServer() {
    }

    /** The PostgreSQL 17 server. */
    public static synchronized EmbeddedServer get() {
        if (server == null) {
            server = started("embedded-pg-", null);
        }
        return server;
    }

    /** The PostgreSQL 15 server; the test is skipped, visibly, when its binaries were not copied. */
    public static synchronized EmbeddedServer pg15() {
        if (server15 == null) {
            String jar = System.getProperty("restorekit.test.postgres15", "target/postgres15/postgres15-binaries.jar");
            Assumptions.assumeTrue(Files.isRegularFile(Path.of(jar)), "PostgreSQL 15 binaries not found at '" + jar
                    + "'; run the tests through Maven, which copies them there");
            server15 = started("embedded-pg15-", Path.of(jar));
        }
        return server15;
    }

    private static EmbeddedServer started(String prefix, Path binaries) {
        Path data = Path.of("target", "tmp", prefix + ProcessHandle.current().pid()).toAbsolutePath();
        EmbeddedServer started = EmbeddedServer.start(data, binaries);
        Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        return started;
    }

    /** A JDBC URL of database {@code name} on the PostgreSQL 17 server. */
    public static String url(String name) {
        return get().url(name);
    }

    /** Creates (or recreates) an empty database on the PostgreSQL 17 server and returns its URL. */
    public static String freshDatabase(String name) {
        get().recreateDatabase(name);
        return url(name);
    }

    public static Connection connect(String name) throws SQLException {
        return DriverManager.getConnection(url(name), "postgres", "");
    }

    /** Drops {@code name} on {@code on} when it exists. */
    public static void drop(EmbeddedServer on, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(on.url("postgres"), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        }
    }
}
