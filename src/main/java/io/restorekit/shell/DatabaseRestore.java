package io.restorekit.shell;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.config.RepositorySession;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreResult;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresSourceSpec;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/** {@code restore --source DB --target JDBC-URL}: the database half of {@link RestoreCommand}. */
final class DatabaseRestore {
    private final RepositorySession session;
    private final Interaction interaction;

    DatabaseRestore(RepositorySession session, Interaction interaction) {
        this.session = session;
        this.interaction = interaction;
    }

    String restore(PostgresSourceSpec source, String snapshot, String at, String tenant, String module,
                   List<String> files, String target, boolean inPlace, boolean dryRun, boolean yes, boolean json)
            throws IOException {
        String name = source.name();
        if (inPlace || tenant != null || module != null) {
            throw new BadInputException("restoring database source '" + name + "' "
                    + (inPlace ? "--in-place" : tenant != null ? "by --tenant" : "by --module")
                    + " is not supported yet; restore the whole snapshot into another database with"
                    + " --target jdbc:postgresql://HOST[:PORT]/NEWDB");
        }
        if (!files.isEmpty()) {
            throw new BadInputException("--file applies to files sources; '" + name + "' is a database");
        }
        if (target == null) {
            throw new BadInputException("restoring database source '" + name + "' needs a target database: give"
                    + " --target jdbc:postgresql://HOST[:PORT]/DATABASE (created when missing)");
        }
        Credentials login = Credentials.of(target, source);
        Instant when = at == null ? null : Times.endOf(at, Clock.systemUTC(), ZoneId.systemDefault());
        DatabaseRestoreService service = new DatabaseRestoreService(session.repository());
        boolean replace = yes;
        if (!dryRun && !yes) {
            DatabaseRestoreResult plan = service.restore(request(source, snapshot, when, target, login, true,
                    false), ProgressListener.NONE);
            if (plan.targetTables() > 0) {
                Optional<Boolean> answer = interaction.confirm("database '" + plan.database() + "' holds "
                        + RepositoryCommands.plural(plan.targetTables(), "table") + "; replace the schemas of"
                        + " snapshot " + plan.snapshotId().substring(0, 8) + " there?");
                if (answer.isPresent() && !answer.get()) {
                    throw new RkException(ErrorCode.FAILED, "restore cancelled; nothing was written");
                }
                // Nobody to ask: the service refuses with the message that names --yes.
                replace = answer.orElse(false);
                snapshot = plan.snapshotId();
            }
        }
        DatabaseRestoreResult result;
        try (TerminalProgress progress = interaction.progress("restore", "tables")) {
            result = service.restore(request(source, snapshot, when, target, login, dryRun, replace), progress);
        }
        SnapshotRef ref = SnapshotRef.of(session.repository().loadSnapshot(result.snapshotId()));
        View view = View.of(result, ref, PgConnect.redact(target));
        return json ? Json.render(view) : render(view);
    }

    private static DatabaseRestoreRequest request(PostgresSourceSpec source, String snapshot, Instant at,
                                                  String target, Credentials login, boolean dryRun,
                                                  boolean replace) {
        return new DatabaseRestoreRequest(source.name(), snapshot, at, target, login.username(), login.password(),
                source.jobs(), dryRun, replace);
    }

    static String render(View v) {
        StringBuilder out = new StringBuilder();
        String what = RepositoryCommands.plural(v.tables(), "table") + ", " + RepositoryCommands.plural(v.rows(),
                "row") + ", " + Sizes.bytes(v.bytes());
        if (v.dryRun()) {
            out.append("plan: restore snapshot ").append(v.snapshot().describe()).append(" into database '")
                    .append(v.database()).append("' at ").append(v.target()).append(": ").append(what).append('\n');
            out.append("target: ").append(v.targetTables() < 0 ? "does not exist; it will be created"
                    : v.targetTables() == 0 ? "exists and holds no tables"
                    : "holds " + RepositoryCommands.plural(v.targetTables(), "table")
                    + "; the snapshot's schemas there are replaced only with --yes").append('\n');
            return out.append("dry run: nothing was written").toString();
        }
        out.append("restored snapshot ").append(v.snapshot().describe()).append(" into database '")
                .append(v.database()).append("'").append(v.created() ? " (created)" : v.targetTables() > 0
                        ? " (replacing " + RepositoryCommands.plural(v.targetTables(), "table") + ")" : "")
                .append(": ").append(what)
                .append(" in ").append(Sizes.millis(v.durationMs())).append('\n');
        Table table = new Table("PHASE", "TIME");
        v.phases().forEach(p -> table.row(p.name(), new Table.Right(Sizes.millis(p.durationMs()))));
        out.append(table.render());
        out.append("every table's rows and digest, as loaded, matched the snapshot");
        return out.toString();
    }

    /** {@code restore --json} of a database: the target URL without its password. */
    record View(boolean dryRun, SnapshotRef snapshot, String target, String database, long targetTables,
                boolean created, long tables, long rows, long bytes, List<DatabaseRestoreResult.Phase> phases,
                long durationMs) {
        static View of(DatabaseRestoreResult r, SnapshotRef snapshot, String target) {
            return new View(r.dryRun(), snapshot, target, r.database(), r.targetTables(), r.created(), r.tables(),
                    r.rows(), r.bytes(), r.phases(), r.durationMs());
        }
    }

    /**
     * Who the restore connects as: the target URL's {@code user} and {@code password} parameters
     * when it names a user, otherwise the source's {@code username} and {@code password-env}.
     */
    record Credentials(String username, String password) {
        static Credentials of(String targetUrl, PostgresSourceSpec source) {
            String user = parameter(targetUrl, "user");
            String password = parameter(targetUrl, "password");
            if (user != null) {
                return new Credentials(user, password);
            }
            return new Credentials(source.username(), password != null ? password : source.password());
        }

        static String parameter(String url, String name) {
            int q = url.indexOf('?');
            if (q < 0) {
                return null;
            }
            for (String pair : url.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                if (key.equals(name)) {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }
}
