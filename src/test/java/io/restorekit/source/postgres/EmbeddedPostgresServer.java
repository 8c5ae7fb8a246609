package io.restorekit.source.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One embedded PostgreSQL for the whole test JVM, started on first use with its data under
 * {@code target/tmp}, stopped when the JVM exits. Tests create their own databases on it.
 */
public final class EmbeddedPostgresServer {
    private static EmbeddedPostgres server;

    private EmbeddedPostgresServer() {
    }

    public static synchronized EmbeddedPostgres get() {
        if (server == null) {
            try {
                Path data = Path.of("target", "tmp", "embedded-pg-" + ProcessHandle.current().pid()).toAbsolutePath();
                Files.createDirectories(data.getParent());
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(data)
                        .setCleanDataDirectory(true)
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "60")
                        .start();
                EmbeddedPostgres started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
        }
        return server;
    }

    /** A JDBC URL of database {@code name} on the embedded server. */
    public static String url(String name) {
        return "jdbc:postgresql://localhost:" + get().getPort() + "/" + name;
    }

    /** Creates (or recreates) an empty database and returns its URL. */
    public static String freshDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            st.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return url(name);
    }

    public static Connection connect(String name) throws SQLException {
        return DriverManager.getConnection(url(name), "postgres", "");
    }
}
