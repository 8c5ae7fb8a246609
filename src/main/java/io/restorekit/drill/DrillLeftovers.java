package io.restorekit.drill;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.restorekit.common.AtomicFiles;
import io.restorekit.source.mysql.MySqlConnect;
import io.restorekit.source.mysql.MySqlRestore;
import io.restorekit.source.postgres.PgConnect;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What drills leave under {@code RK_HOME/drills} while they run: one marker file per drill
 * ({@code <drill>.json}) naming its process, its scratch folder, its embedded server and the
 * temporary databases it created, and the scratch folder {@code <drill>/}. A drill removes both
 * when it cleans up; a killed drill (or one run with {@code --keep}) leaves them, and
 * {@code doctor} finds and removes them with {@link #find} and {@link #clean}.
 */
public final class DrillLeftovers {
    static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private DrillLeftovers() {
    }

    /**
     * The marker of one drill.
     *
     * @param pid       the process that ran the drill
     * @param folder    its scratch folder
     * @param dataDir   the embedded server's data folder, or null
     * @param serverPid the embedded server's postmaster, or 0
     * @param server    the JDBC target (password masked) its databases were created on, or null
     * @param user      the user for {@code server}, or null
     * @param databases temporary databases created on {@code server}
     * @param kept      left on purpose ({@code --keep})
     */
    public record Marker(String drill, long pid, Instant started, String folder, String dataDir, long serverPid,
                         String server, String user, List<String> databases, boolean kept) {
        public Marker {
            databases = databases == null ? List.of() : List.copyOf(databases);
        }
    }

    /**
     * A drill's remains.
     *
     * @param marker  null for a scratch folder without a marker
     * @param running whether the drill's process is still alive (then it is not a leftover yet)
     */
    public record Leftover(String drill, Path markerFile, Path folder, Marker marker, boolean running) {
        /** What is left, for people: the folder, the server process, the databases. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            if (folder != null && Files.exists(folder)) {
                parts.add("folder " + folder);
            }
            if (marker != null && marker.serverPid() > 0 && postgresAlive(marker.serverPid())) {
                parts.add("embedded PostgreSQL (pid " + marker.serverPid() + ")");
            }
            if (marker != null && !marker.databases().isEmpty()) {
                parts.add("database" + (marker.databases().size() == 1 ? " " : "s ")
                        + String.join(", ", marker.databases()) + " on " + marker.server());
            }
            if (parts.isEmpty()) {
                parts.add("marker " + markerFile);
            }
            return "drill " + drill + (marker == null ? "" : " started " + marker.started()
                    + (marker.kept() ? " (kept with --keep)" : " by process " + marker.pid() + ", which is gone"))
                    + ": " + String.join(", ", parts);
        }
    }

    /**
     * Drops a drill's temporary databases on the server its marker names: PostgreSQL or MySQL and
     * MariaDB, by the marker's URL.
     *
     * @param url  the server, password masked
     * @param drop drops a database if it is there
     */
    public record Admin(String url, Drop drop) {
        /** Drops one database if it is there. */
        @FunctionalInterface
        public interface Drop {
            void drop(String database) throws SQLException;
        }

        public static Admin of(PgConnect admin) {
            return new Admin(admin.url(), database -> {
                try (Connection c = admin.open(); Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + PgConnect.ident(database) + " WITH (FORCE)");
                }
            });
        }

        public static Admin of(MySqlConnect admin) {
            return new Admin(admin.url(), database -> MySqlRestore.drop(admin.withDatabase(database)));
        }

        /**
         * The admin of the marker's server: {@code target} with its credentials where it names the
         * same server (masked alike), else the marker's URL and user.
         */
        public static Admin forMarker(Marker m, String target, String user, String password) {
            boolean same = target != null && m.server() != null;
            if (MySqlConnect.accepts(m.server())) {
                return same && MySqlConnect.accepts(target) && MySqlConnect.redact(target).equals(m.server())
                        ? of(new MySqlConnect(target, user, password, null))
                        : of(new MySqlConnect(m.server(), m.user(), null, null));
            }
            return same && PgConnect.redact(target).equals(m.server())
                    ? of(new PgConnect(target, user, password, null))
                    : of(new PgConnect(m.server(), m.user(), null, null));
        }
    }

    /** The folder of markers and scratch folders. */
    public static Path root(Path home) {
        return home.resolve("drills");
    }

    /** Every drill's remains under {@code home}, those of running drills included (marked {@code running}). */
    public static List<Leftover> find(Path home) {
        Path root = root(home);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Leftover> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            List<Path> sorted = new ArrayList<>();
            entries.forEach(sorted::add);
            sorted.sort(Comparator.naturalOrder());
            for (Path p : sorted) {
                String file = p.getFileName().toString();
                if (file.endsWith(".json")) {
                    String drill = file.substring(0, file.length() - ".json".length());
                    Marker m = read(p).orElse(null);
                    boolean running = m != null && !m.kept() && ProcessHandle.of(m.pid()).map(ProcessHandle::isAlive)
                            .orElse(false);
                    out.add(new Leftover(drill, p, m == null ? root.resolve(drill) : Path.of(m.folder()), m, running));
                    seen.add(drill);
                }
            }
            for (Path p : sorted) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !seen.contains(name) && !name.startsWith(".")) {
                    out.add(new Leftover(name, root.resolve(name + ".json"), p, null, false));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * Removes a drill's remains: stops its embedded server, drops its databases, deletes its
     * folder and marker. Returns what was done, one line per step; a step that fails says so and
     * leaves the marker, so a later run can try again.
     *
     * @param admin how to reach the server named in the marker (JDBC URL masked as stored) with
     *              credentials; null to connect with the stored URL and user alone
     */
    public static List<String> clean(Leftover leftover, Function<Marker, Admin> admin) {
        List<String> steps = new ArrayList<>();
        boolean complete = true;
        Marker m = leftover.marker();
        if (m != null && m.serverPid() > 0 && postgresAlive(m.serverPid())) {
            complete &= stop(m.serverPid(), steps);
        }
        if (m != null && !m.databases().isEmpty()) {
            Admin connect = null;
            try {
                connect = admin != null ? admin.apply(m) : Admin.forMarker(m, null, null, null);
            } catch (RuntimeException e) {
                steps.add("could not reach " + m.server() + " to drop " + m.databases() + ": " + e.getMessage());
                complete = false;
            }
            if (connect != null) {
                complete &= drop(connect, m.databases(), steps);
            }
        }
        if (leftover.folder() != null && Files.exists(leftover.folder())) {
            try {
                deleteTree(leftover.folder());
                steps.add("deleted folder " + leftover.folder());
            } catch (IOException e) {
                steps.add("could not delete folder " + leftover.folder() + ": " + e.getMessage());
                complete = false;
            }
        }
        if (complete) {
            try {
                Files.deleteIfExists(leftover.markerFile());
            } catch (IOException e) {
                steps.add("could not delete marker " + leftover.markerFile() + ": " + e.getMessage());
            }
        }
        return steps;
    }

    static Optional<Marker> read(Path markerFile) {
        try {
            return Optional.of(MAPPER.readValue(Files.readAllBytes(markerFile), Marker.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes the marker atomically (temporary name, then rename). */
    static void write(Path markerFile, Marker marker) throws IOException {
        AtomicFiles.write(markerFile, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(marker));
    }

    /** Whether {@code pid} is a live PostgreSQL server process (and not another process that reused the pid). */
    static boolean postgresAlive(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true)).orElse(false);
    }

    /** The postmaster's pid from the first line of {@code postmaster.pid} in {@code dataDir}; 0 when none. */
    static long postmasterPid(Path dataDir) {
        try (Stream<String> lines = Files.lines(dataDir.resolve("postmaster.pid"))) {
            return lines.findFirst().map(String::strip).map(Long::parseLong).orElse(0L);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean stop(long pid, List<String> steps) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return true;
        }
        ProcessHandle p = handle.get();
        // SIGTERM is PostgreSQL's "smart" shutdown; the killed drill's sessions are gone already.
        p.destroy();
        try {
            p.onExit().get(20, TimeUnit.SECONDS);
            steps.add("stopped embedded PostgreSQL (pid " + pid + ")");
            return true;
        } catch (Exception e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
                steps.add("killed embedded PostgreSQL (pid " + pid + ") that did not stop in 20 s");
                return true;
            } catch (Exception again) {
                steps.add("could not stop embedded PostgreSQL (pid " + pid + "); stop it by hand");
                return false;
            }
        }
    }

    static boolean drop(Admin admin, List<String> databases, List<String> steps) {
        boolean ok = true;
        for (String db : databases) {
            try {
                admin.drop().drop(db);
                steps.add("dropped database " + db + " on " + admin.url());
            } catch (SQLException | RuntimeException e) {
                steps.add("could not drop database " + db + " on " + admin.url() + ": " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException gone) {
                    // already removed (the server deleted its own files)
                }
            }
        }
    }
}
