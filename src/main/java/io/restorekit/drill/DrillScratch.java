package io.restorekit.drill;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.source.postgres.EmbeddedServer;
import io.restorekit.source.postgres.PgConnect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The temporary resources of one running drill (scratch folder, embedded server, databases on a
 * JDBC server), written down in its marker file as each one is created so that a killed drill's
 * remains can be found. {@link #cleanUp()} is idempotent and may run from a shutdown hook while
 * the drill's thread is still working.
 */
final class DrillScratch {
    private final Path markerFile;
    private final Path folder;
    private DrillLeftovers.Marker marker;
    private EmbeddedServer server;
    private DrillLeftovers.Admin admin;
    private boolean cleaned;

    private DrillScratch(Path markerFile, Path folder, DrillLeftovers.Marker marker) {
        this.markerFile = markerFile;
        this.folder = folder;
        this.marker = marker;
    }

    static DrillScratch create(Path home, String drill, Instant started) {
        Path root = DrillLeftovers.root(home);
        Path folder = root.resolve(drill);
        DrillScratch s = new DrillScratch(root.resolve(drill + ".json"), folder, new DrillLeftovers.Marker(drill,
                ProcessHandle.current().pid(), started, folder.toString(), null, 0, null, null, List.of(), false));
        try {
            s.save();
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "cannot create the drill folder '" + folder + "': " + e.getMessage()
                    + "; check that RK_HOME is writable", e);
        }
        return s;
    }

    Path folder() {
        return folder;
    }

    synchronized EmbeddedServer server() {
        return server;
    }

    /** Starts the embedded server in the scratch folder, recording it before and after the start. */
    synchronized EmbeddedServer startServer(Path binaries) {
        if (cleaned) {
            throw interrupted();
        }
        Path dataDir = folder.resolve("postgres");
        update(new DrillLeftovers.Marker(marker.drill(), marker.pid(), marker.started(), marker.folder(),
                dataDir.toString(), 0, marker.server(), marker.user(), marker.databases(), false));
        server = EmbeddedServer.start(dataDir, binaries);
        update(new DrillLeftovers.Marker(marker.drill(), marker.pid(), marker.started(), marker.folder(),
                dataDir.toString(), DrillLeftovers.postmasterPid(dataDir), marker.server(), marker.user(),
                marker.databases(), false));
        return server;
    }

    /** Records a database about to be created on a JDBC server, reached for dropping through {@code adminConnect}. */
    synchronized void databaseCreated(DrillLeftovers.Admin adminConnect, String user, String database) {
        if (cleaned) {
            throw interrupted();
        }
        admin = adminConnect;
        List<String> databases = new ArrayList<>(marker.databases());
        databases.add(database);
        update(new DrillLeftovers.Marker(marker.drill(), marker.pid(), marker.started(), marker.folder(),
                marker.dataDir(), marker.serverPid(), adminConnect.url(), user, databases, false));
    }

    /** Leaves everything in place, marked as kept; returns where it is. */
    synchronized String keep() {
        cleaned = true;
        update(new DrillLeftovers.Marker(marker.drill(), marker.pid(), marker.started(), marker.folder(),
                marker.dataDir(), marker.serverPid(), marker.server(), marker.user(), marker.databases(), true));
        List<String> where = new ArrayList<>();
        where.add("folder " + folder);
        if (server != null) {
            where.add("embedded PostgreSQL on port " + server.port() + " (user postgres, data " + server.dataDir()
                    + "; it stops when this process ends)");
        }
        if (!marker.databases().isEmpty()) {
            where.add("databases " + String.join(", ", marker.databases()) + " on " + marker.server());
        }
        return String.join("; ", where) + "; remove them with 'rk doctor --fix'";
    }

    /** Stops the server, drops the databases, deletes the folder, then the marker. */
    synchronized List<String> cleanUp() {
        if (cleaned) {
            return List.of();
        }
        cleaned = true;
        // An interrupted drill (the daemon stopping) still cleans up fully; the interrupt is restored after.
        boolean interrupted = Thread.interrupted();
        try {
            return cleanUpNow();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<String> cleanUpNow() {
        List<String> steps = new ArrayList<>();
        boolean complete = true;
        if (server != null) {
            // On SIGTERM the server library's own shutdown hook may be stopping the server at the same time.
            try {
                server.close();
            } catch (RuntimeException e) {
                steps.add("stopping the embedded PostgreSQL reported: " + e.getMessage());
            }
            if (awaitServerGone()) {
                steps.add("stopped the embedded PostgreSQL and deleted its data folder");
            } else {
                steps.add("could not stop the embedded PostgreSQL (pid " + marker.serverPid() + ")");
                complete = false;
            }
        }
        if (!marker.databases().isEmpty()) {
            complete &= DrillLeftovers.drop(admin, marker.databases(), steps);
        }
        IOException failure = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                DrillLeftovers.deleteTree(folder);
                failure = null;
                break;
            } catch (IOException e) {
                // a stopping server may still be removing or writing files in its data folder
                failure = e;
                pause(200);
            }
        }
        if (failure == null) {
            steps.add("deleted the scratch folder " + folder);
        } else {
            steps.add("could not delete the scratch folder " + folder + ": " + failure.getMessage());
            complete = false;
        }
        if (complete) {
            try {
                Files.deleteIfExists(markerFile);
            } catch (IOException e) {
                steps.add("could not delete the marker " + markerFile + ": " + e.getMessage());
            }
        } else {
            steps.add("left the marker " + markerFile + " so that 'rk doctor --fix' finishes the cleanup");
        }
        return steps;
    }

    /** Whether the server's postmaster is gone, waiting up to 30 s for it. */
    private boolean awaitServerGone() {
        long pid = marker.serverPid();
        for (int i = 0; i < 150 && pid > 0 && DrillLeftovers.postgresAlive(pid); i++) {
            pause(200);
        }
        return pid <= 0 || !DrillLeftovers.postgresAlive(pid);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void update(DrillLeftovers.Marker next) {
        marker = next;
        try {
            save();
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "cannot write the drill marker '" + markerFile + "': "
                    + e.getMessage(), e);
        }
    }

    private void save() throws IOException {
        DrillLeftovers.write(markerFile, marker);
    }

    private static RkException interrupted() {
        return new RkException(ErrorCode.FAILED, "the drill was stopped (the process is shutting down)");
    }
}
