package io.restorekit.doctor;

import io.restorekit.common.RkException;
import io.restorekit.config.DatabaseSourceConfig;
import io.restorekit.config.RepositoryConfig;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.config.StorageFactory;
import io.restorekit.doctor.DoctorReport.Finding;
import io.restorekit.doctor.DoctorReport.Severity;
import io.restorekit.drill.DrillLeftovers;
import io.restorekit.repository.Repository;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.mysql.MySqlConnect;
import io.restorekit.source.mysql.MySqlSourceSpec;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks what an operator needs before trusting the schedules: the configuration parses, the
 * secrets it names are set, the repository opens with the password, copies and sources answer,
 * the tools are there, and no killed drill left a server, database or folder behind
 * ({@code fix} removes those). Secrets are never printed.
 */
public final class DoctorService {
    private final RepositorySession session;
    private final StorageFactory storages;
    private final Map<String, String> env;

    public DoctorService(RepositorySession session, StorageFactory storages, Map<String, String> env) {
        this.session = session;
        this.storages = storages;
        this.env = Map.copyOf(env);
    }

    public DoctorReport check(boolean fix) {
        List<Finding> out = new ArrayList<>();
        RkConfig config = null;
        try {
            config = session.config();
            out.add(ok("config", config.file().toString(), config.sources().size() + " sources, "
                    + config.copies().size() + " copies, " + config.drill().checks().size() + " drill checks"));
        } catch (RkException e) {
            out.add(new Finding("config", "restorekit.yml", Severity.ERROR, e.getMessage(), null));
        }
        if (config != null) {
            credentials(config, out);
            repository(out);
            for (RepositoryConfig copy : config.copies()) {
                copy(config, copy, out);
            }
            for (SourceSpec s : config.sources()) {
                source(s, out);
            }
            drillTarget(config, out);
            if (config.roles().configured()) {
                out.add(ok("roles", "roles", config.roles().master().size() + " master and "
                        + config.roles().operator().size() + " operator entries"));
            } else {
                out.add(new Finding("roles", "roles", Severity.WARNING, "no roles are configured: everyone who can run"
                        + " rk with the repository password may run every command, restores in place included; add"
                        + " 'roles: {master: [...], operator: [...]}' to " + config.file(), null));
            }
        }
        tools(out);
        leftovers(fix, config, out);
        return new DoctorReport(out);
    }

    private void credentials(RkConfig config, List<Finding> out) {
        boolean password = notBlank(env.get("RK_PASSWORD")) || notBlank(env.get("RK_PASSWORD_FILE"));
        out.add(password ? ok("credentials", "repository password", notBlank(env.get("RK_PASSWORD"))
                ? "from RK_PASSWORD" : "from RK_PASSWORD_FILE")
                : new Finding("credentials", "repository password", Severity.WARNING, "neither RK_PASSWORD nor"
                + " RK_PASSWORD_FILE is set: commands will prompt, and the daemon and scheduled runs cannot start", null));
        String file = env.get("RK_PASSWORD_FILE");
        if (notBlank(file) && Files.isRegularFile(Path.of(file))) {
            try {
                String perms = java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(Path.of(file)));
                if (!perms.endsWith("---")) {
                    out.add(new Finding("credentials", file, Severity.WARNING, "RK_PASSWORD_FILE is readable by"
                            + " others (" + perms + "); chmod 600 it", null));
                }
            } catch (IOException | UnsupportedOperationException ignored) {
                // permissions are not checkable here
            }
        }
        List<String[]> named = new ArrayList<>();
        for (SourceSpec s : config.sources()) {
            if (s instanceof PostgresSourceSpec p && p.passwordEnv() != null) {
                named.add(new String[]{"source " + p.name(), p.passwordEnv()});
            }
            if (s instanceof DatabaseSourceConfig d && d.passwordEnv() != null) {
                named.add(new String[]{"source " + d.name(), d.passwordEnv()});
            }
            if (s instanceof MySqlSourceSpec m && m.passwordEnv() != null) {
                named.add(new String[]{"source " + m.name(), m.passwordEnv()});
            }
        }
        List<RepositoryConfig> repos = new ArrayList<>(config.copies());
        repos.add(0, config.repository());
        for (RepositoryConfig r : repos) {
            if (r.s3() != null && r.s3().accessKeyEnv() != null) {
                named.add(new String[]{"repository " + r.name(), r.s3().accessKeyEnv()});
                named.add(new String[]{"repository " + r.name(), r.s3().secretKeyEnv()});
            }
            if (r.sftp() != null && r.sftp().passwordEnv() != null) {
                named.add(new String[]{"repository " + r.name(), r.sftp().passwordEnv()});
            }
        }
        if (config.alerts().email() != null && config.alerts().email().passwordEnv() != null) {
            named.add(new String[]{"alert e-mail", config.alerts().email().passwordEnv()});
        }
        for (String[] n : named) {
            out.add(notBlank(env.get(n[1])) ? ok("credentials", n[0], "$" + n[1] + " is set")
                    : new Finding("credentials", n[0], Severity.ERROR, "$" + n[1] + " is not set; export it (its"
                    + " value is never printed)", null));
        }
    }

    private void repository(List<Finding> out) {
        try {
            Repository r = session.repository();
            out.add(ok("repository", r.storage().location(), "opens with the password; "
                    + r.snapshots().size() + " snapshots"));
        } catch (RkException | IOException e) {
            out.add(new Finding("repository", "primary", Severity.ERROR, e.getMessage(), null));
        }
    }

    private void copy(RkConfig config, RepositoryConfig copy, List<Finding> out) {
        try (Storage s = storages.open(copy, config.baseDir())) {
            s.stat(Handle.config());
            out.add(ok("copy", copy.name(), s.location() + " reachable"));
        } catch (RkException | IOException e) {
            out.add(new Finding("copy", copy.name(), Severity.ERROR, "copy '" + copy.name() + "' (" + copy.url()
                    + "): " + e.getMessage() + "; run 'rk copy' once it is reachable", null));
        }
    }

    private static void source(SourceSpec s, List<Finding> out) {
        if (s instanceof FilesSourceSpec f) {
            out.add(Files.isDirectory(f.path()) && Files.isReadable(f.path()) ? ok("source", f.name(), f.path() + " readable")
                    : new Finding("source", f.name(), Severity.ERROR, "folder '" + f.path() + "' does not exist or"
                    + " cannot be read", null));
        } else if (s instanceof PostgresSourceSpec p) {
            PgConnect connect = PgConnect.of(p);
            try (Connection c = connect.open(); Statement st = c.createStatement()) {
                out.add(ok("source", p.name(), "PostgreSQL " + strings(st, "SHOW server_version").get(0) + " at "
                        + PgConnect.redact(p.url())));
                replaced(p.name(), "schemas", strings(st, "SELECT nspname FROM pg_namespace"
                        + " WHERE nspname LIKE 'rk\\_replaced\\_%' ORDER BY 1"), "DROP SCHEMA ... CASCADE", out);
            } catch (RkException e) {
                out.add(new Finding("source", p.name(), Severity.ERROR, e.getMessage(), null));
            } catch (SQLException e) {
                out.add(new Finding("source", p.name(), Severity.ERROR, connect.failure("inspect", e).getMessage(),
                        null));
            }
        } else if (s instanceof MySqlSourceSpec m) {
            MySqlConnect connect = MySqlConnect.of(m);
            try (Connection c = connect.open(); Statement st = c.createStatement()) {
                out.add(ok("source", m.name(), "MySQL/MariaDB " + strings(st, "SELECT VERSION()").get(0) + " at "
                        + connect.url()));
                replaced(m.name(), "databases", strings(st, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"
                        + " WHERE SCHEMA_NAME LIKE 'rk\\_replaced\\_%' ORDER BY 1"), "DROP DATABASE", out);
            } catch (RkException e) {
                out.add(new Finding("source", m.name(), Severity.ERROR, e.getMessage(), null));
            } catch (SQLException e) {
                out.add(new Finding("source", m.name(), Severity.ERROR, connect.failure("inspect", e).getMessage(),
                        null));
            }
        } else {
            out.add(new Finding("source", s.name(), Severity.WARNING, "sources of type '" + s.type()
                    + "' are not backed up by this build yet", null));
        }
    }

    /**
     * What a {@code --yes} restore set aside and never dropped (it was killed, or dropping failed):
     * the old objects, or the only good copy when the restore did not finish. Never removed by
     * {@code --fix}; the operator decides.
     */
    private static void replaced(String source, String kind, List<String> names, String drop, List<Finding> out) {
        if (!names.isEmpty()) {
            out.add(new Finding("source", source, Severity.WARNING, kind + " " + String.join(", ", names)
                    + " hold what a restore with --yes set aside and did not drop (it was stopped, or dropping"
                    + " failed): the objects as they were before that restore. Check the restored database;"
                    + " once they are not needed, drop them (" + drop + ")", null));
        }
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet r = st.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static void drillTarget(RkConfig config, List<Finding> out) {
        String target = config.drill().target();
        if (target.equals("embedded")) {
            int major = io.restorekit.drill.DrillService.bundledMajor();
            out.add(ok("drill", "target", "embedded PostgreSQL" + (major > 0 ? " " + major : "")
                    + " (started per drill from the bundled binaries)"));
            return;
        }
        if (MySqlConnect.accepts(target)) {
            MySqlConnect connect = new MySqlConnect(target, null, null, null);
            try (Connection c = connect.open(); Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT VERSION()")) {
                r.next();
                out.add(ok("drill", "target", "MySQL/MariaDB " + r.getString(1) + " at " + connect.url()));
            } catch (RkException e) {
                out.add(new Finding("drill", "target", Severity.ERROR, e.getMessage(), null));
            } catch (SQLException e) {
                out.add(new Finding("drill", "target", Severity.ERROR, connect.failure("inspect", e).getMessage(),
                        null));
            }
            return;
        }
        try {
            out.add(ok("drill", "target", "PostgreSQL " + version(new PgConnect(target, null, null, null)) + " at "
                    + PgConnect.redact(target)));
        } catch (RkException e) {
            out.add(new Finding("drill", "target", Severity.ERROR, e.getMessage(), null));
        }
    }

    private static String version(PgConnect connect) {
        try (Connection c = connect.open(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SHOW server_version")) {
            r.next();
            return r.getString(1);
        } catch (SQLException e) {
            throw connect.failure("inspect", e);
        }
    }

    private static void tools(List<Finding> out) {
        out.add(ok("tools", "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"));
        String pgDump = run("pg_dump", "--version");
        out.add(pgDump != null ? ok("tools", "pg_dump", pgDump)
                : new Finding("tools", "pg_dump", Severity.OK, "not installed; not needed (the schema is read through"
                + " JDBC); used by sources with schema: pg_dump, or auto when the catalog reader cannot recreate an object", null));
    }

    private void leftovers(boolean fix, RkConfig config, List<Finding> out) {
        List<DrillLeftovers.Leftover> found = DrillLeftovers.find(session.home());
        if (found.isEmpty()) {
            out.add(ok("leftovers", DrillLeftovers.root(session.home()).toString(), "no drill left anything behind"));
        }
        for (DrillLeftovers.Leftover l : found) {
            if (l.running()) {
                out.add(ok("leftovers", l.drill(), "drill running in process " + l.marker().pid()));
                continue;
            }
            String fixed = null;
            if (fix) {
                fixed = String.join("; ", DrillLeftovers.clean(l, m -> admin(m, config)));
            }
            out.add(new Finding("leftovers", l.drill(), Severity.WARNING, l.describe()
                    + (fix ? "" : "; remove with 'rk doctor --fix'"), fixed));
        }
    }

    private static DrillLeftovers.Admin admin(DrillLeftovers.Marker m, RkConfig config) {
        String target = config == null || config.drill().target().equals("embedded") ? null : config.drill().target();
        return DrillLeftovers.Admin.forMarker(m, target, null, null);
    }

    /** The first line a tool prints, or null when it is not installed. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return text.lines().findFirst().orElse("");
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static Finding ok(String area, String subject, String message) {
        return new Finding(area, subject, Severity.OK, message, null);
    }
}
