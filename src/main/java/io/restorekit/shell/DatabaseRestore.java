package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.common.BadInputException;
import io.restorekit.config.RkConfig;
import io.restorekit.restore.ScopedRestoreRequest;
import io.restorekit.restore.ScopedRestoreResult;
import io.restorekit.source.postgres.ScopedRestore;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.config.RepositorySession;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreResult;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.DatabaseSpec;
import io.restorekit.source.mysql.MySqlConnect;
import io.restorekit.source.mysql.MySqlSourceSpec;

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
    private final Catalog catalog;

    DatabaseRestore(RepositorySession session, Interaction interaction, Catalog catalog) {
        this.session = session;
        this.interaction = interaction;
        this.catalog = catalog;
    }

    String restore(DatabaseSpec source, String snapshot, String at, String tenant, String module,
                   List<String> files, String target, boolean inPlace, boolean dryRun, boolean yes, boolean json)
            throws IOException {
        String name = source.name();
        if (!files.isEmpty()) {
            throw new BadInputException("--file applies to files sources; '" + name + "' is a database");
        }
        if (tenant != null || module != null) {
            return scoped(source, snapshot, at, tenant, module, target, inPlace, dryRun, yes, json);
        }
        if (inPlace) {
            throw new BadInputException("an in-place restore of database source '" + name + "' needs --tenant"
                    + " and/or --module; to restore everything, restore into a new database with --target "
                    + urlForm(source).replace("DATABASE", "NEWDB"));
        }
        if (target == null) {
            throw new BadInputException("restoring database source '" + name + "' needs a target database: give"
                    + " --target " + urlForm(source) + " (created when missing)");
        }
        Credentials login = Credentials.of(target, source);
        Instant when = at == null ? null : Times.endOf(at, Clock.systemUTC(), ZoneId.systemDefault());
        DatabaseRestoreService service = new DatabaseRestoreService(session.repository(), catalog);
        boolean replace = yes;
        if (!dryRun && !yes) {
            DatabaseRestoreResult plan = service.restore(request(source, snapshot, when, target, login, true,
                    false), ProgressListener.NONE);
            if (plan.targetTables() > 0) {
                String snap = plan.snapshotId().substring(0, 8);
                Optional<Boolean> answer = interaction.confirm("database '" + plan.database() + "' holds "
                        + RepositoryCommands.plural(plan.targetTables(), "table") + "; " + (source instanceof
                        MySqlSourceSpec ? "replace it with snapshot " + snap : "replace the schemas of snapshot "
                        + snap + " there") + (plan.droppedWith().isEmpty() ? "" : " (also dropping what depends on"
                        + " them: " + String.join(", ", plan.droppedWith()) + ")") + "?");
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
        View view = View.of(result, ref, MySqlConnect.redact(target));
        return json ? Json.render(view) : render(view);
    }

    private static String urlForm(DatabaseSpec source) {
        return source instanceof MySqlSourceSpec ? "jdbc:mariadb://HOST[:PORT]/DATABASE"
                : "jdbc:postgresql://HOST[:PORT]/DATABASE";
    }

    /** {@code --tenant} and/or {@code --module}: in place or into another database. */
    private String scoped(DatabaseSpec source, String snapshot, String at, String tenant, String module,
                          String target, boolean inPlace, boolean dryRun, boolean yes, boolean json)
            throws IOException {
        List<String> moduleTables = null;
        if (module != null) {
            RkConfig.Module m = Modules.named(session.config(), module);
            if (m.tables().isEmpty()) {
                throw new BadInputException("module '" + module + "' names no tables (only paths); restore it from"
                        + " a files source, or add 'tables' to modules." + module + " in the configuration");
            }
            moduleTables = m.tables();
        }
        Instant when = at == null ? null : Times.endOf(at, Clock.systemUTC(), ZoneId.systemDefault());
        Credentials login = target == null ? new Credentials(null, null) : Credentials.of(target, source);
        // Logging in to the database overlaps with opening the repository.
        PgConnect early = inPlace ? EarlyConnect.take(source.name()) : null;
        PgConnect ahead = early != null ? early : DatabaseRestoreService.connectAhead(source, inPlace);
        try {
            return scoped(source, snapshot, when, tenant, module, moduleTables, target, login, inPlace, dryRun, yes,
                    json, ahead);
        } finally {
            if (ahead != null) {
                ahead.closePrepared();
            }
        }
    }

    private String scoped(DatabaseSpec source, String snapshot, Instant when, String tenant, String module,
                          List<String> moduleTables, String target, Credentials login, boolean inPlace,
                          boolean dryRun, boolean yes, boolean json, PgConnect ahead) throws IOException {
        DatabaseRestoreService service = new DatabaseRestoreService(session.repository(), catalog);
        List<String> tables = moduleTables;
        java.util.function.BiFunction<String, Boolean, ScopedRestoreRequest> request = (snap, dry) ->
                new ScopedRestoreRequest(source, snap, snap == null ? when : null, tenant, module, tables, target,
                        login.username(), login.password(), inPlace, dry, yes);
        if (!dryRun && !yes && inPlace) {
            // An in-place restore changes live rows: show what, and ask (or refuse without --yes).
            ScopedRestoreResult plan = service.restoreScoped(request.apply(snapshot, true), ahead,
                    ProgressListener.NONE);
            if (plan.rowsChanged() > 0) {
                Optional<Boolean> answer = interaction.confirm(renderScoped(plan) + "\napply this to '"
                        + plan.target() + "' now?");
                if (answer.isEmpty()) {
                    throw new RkException(ErrorCode.FAILED, "the restore would change " + RepositoryCommands.plural(
                            plan.rowsChanged(), "row") + " in '" + plan.target() + "'; nothing was changed. Check"
                            + " the plan with --dry-run, then pass --yes");
                }
                if (!answer.get()) {
                    throw new RkException(ErrorCode.FAILED, "restore cancelled; nothing was changed");
                }
            }
            snapshot = plan.snapshot().id();
        }
        ScopedRestoreResult result;
        try (TerminalProgress progress = interaction.progress("restore", "tables")) {
            result = service.restoreScoped(request.apply(snapshot, dryRun), ahead, progress);
        }
        return json ? Json.render(ScopedView.of(result)) : renderScoped(result);
    }

    static String renderScoped(ScopedRestoreResult r) {
        ScopedRestore.Outcome o = r.outcome();
        String scope = (r.tenant() == null ? "" : "tenant " + r.tenant()) + (r.tenant() != null && r.module() != null
                ? ", " : "") + (r.module() == null ? "" : "module " + r.module());
        String where = r.inPlace() ? "in place in '" + o.database() + "'" : "into database '" + o.database() + "'";
        StringBuilder out = new StringBuilder();
        out.append(r.dryRun() ? "plan: restore " : "restored ").append(scope).append(" from snapshot ")
                .append(SnapshotRef.of(r.snapshot()).describe()).append(' ').append(where).append('\n');
        Table table = new Table("TABLE", "SNAPSHOT", "NOW", "DELETE", "UPDATE", "INSERT", "UNCHANGED", "READ");
        for (ScopedRestore.TablePlan t : o.tables()) {
            table.row(t.table(), t.snapshotRows(), t.currentRows(), t.toDelete(), t.toUpdate(), t.toInsert(),
                    t.unchanged(), Table.bytes(t.bytesRead()));
        }
        if (!table.isEmpty()) {
            out.append(table.render());
        }
        long percent = o.tableBytes() == 0 ? 0 : Math.round(100.0 * o.bytesRead() / o.tableBytes());
        out.append(o.total(ScopedRestore.TablePlan::toDelete)).append(" to delete, ")
                .append(o.total(ScopedRestore.TablePlan::toUpdate)).append(" to update, ")
                .append(o.total(ScopedRestore.TablePlan::toInsert)).append(" to insert, ")
                .append(o.total(ScopedRestore.TablePlan::unchanged)).append(" unchanged; read ")
                .append(Sizes.bytes(o.bytesRead())).append(" of ").append(Sizes.bytes(o.tableBytes()))
                .append(" of table data (").append(percent).append(" %)");
        o.notes().forEach(n -> out.append("\nnote: ").append(n));
        if (r.dryRun()) {
            out.append("\ndry run: nothing was changed");
        } else if (r.inPlace()) {
            out.append("\napplied in one transaction in ").append(Sizes.millis(o.durationMs()))
                    .append("; rows outside the scope were not touched");
        } else {
            out.append("\nwritten in ").append(Sizes.millis(o.durationMs()));
        }
        return out.toString();
    }

    /** {@code restore --json} of a tenant or module restore of a database. */
    record ScopedView(boolean dryRun, boolean inPlace, SnapshotRef snapshot, String tenant, String module,
                      String target, String database, boolean created, List<ScopedRestore.TablePlan> tables,
                      long rowsToDelete, long rowsToUpdate, long rowsToInsert, long rowsUnchanged, long bytesRead,
                      long tableBytes, List<String> notes, long durationMs) {
        static ScopedView of(ScopedRestoreResult r) {
            ScopedRestore.Outcome o = r.outcome();
            return new ScopedView(r.dryRun(), r.inPlace(), SnapshotRef.of(r.snapshot()), r.tenant(), r.module(),
                    r.target(), o.database(), o.created(), o.tables(), o.total(ScopedRestore.TablePlan::toDelete),
                    o.total(ScopedRestore.TablePlan::toUpdate), o.total(ScopedRestore.TablePlan::toInsert),
                    o.total(ScopedRestore.TablePlan::unchanged), o.bytesRead(), o.tableBytes(), o.notes(),
                    o.durationMs());
        }
    }

    private static DatabaseRestoreRequest request(DatabaseSpec source, String snapshot, Instant at,
                                                  String target, Credentials login, boolean dryRun,
                                                  boolean replace) {
        return new DatabaseRestoreRequest(source.name(), snapshot, at, target, login.username(), login.password(),
                source.jobs(), dryRun, replace,
                source instanceof io.restorekit.source.postgres.PostgresSourceSpec pg && pg.analyze());
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
                    : "holds " + RepositoryCommands.plural(v.targetTables(), "table") + "; replaced only with --yes: "
                    + (MySqlConnect.accepts(v.target()) ? "its tables are set aside first"
                    : "the objects of the snapshot's schemas there are set aside first")
                    + ", dropped once the restore has succeeded and put back should it fail").append('\n');
            if (!v.droppedWith().isEmpty()) {
                out.append("also dropped then, as they depend on what is replaced: ")
                        .append(String.join(", ", v.droppedWith())).append('\n');
            }
            if (!v.referencesKept().isEmpty()) {
                out.append("foreign keys elsewhere that reference replaced tables, dropped meanwhile and created"
                        + " again on the restored ones: ").append(String.join(", ", v.referencesKept())).append('\n');
            }
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
        if (!v.droppedWith().isEmpty()) {
            out.append("dropped with the replaced objects, as they depended on them: ")
                    .append(String.join(", ", v.droppedWith())).append('\n');
        }
        if (!v.referencesKept().isEmpty()) {
            out.append("foreign keys elsewhere created again on the restored tables: ")
                    .append(String.join(", ", v.referencesKept())).append('\n');
        }
        out.append("every table's rows and digest, as loaded, matched the snapshot");
        return out.toString();
    }

    /** {@code restore --json} of a database: the target URL without its password. */
    record View(boolean dryRun, SnapshotRef snapshot, String target, String database, long targetTables,
                boolean created, long tables, long rows, long bytes, List<DatabaseRestoreResult.Phase> phases,
                long durationMs, List<String> droppedWith, List<String> referencesKept) {
        static View of(DatabaseRestoreResult r, SnapshotRef snapshot, String target) {
            return new View(r.dryRun(), snapshot, target, r.database(), r.targetTables(), r.created(), r.tables(),
                    r.rows(), r.bytes(), r.phases(), r.durationMs(), r.droppedWith(), r.referencesKept());
        }
    }

    /**
     * Who the restore connects as: the target URL's {@code user} and {@code password} parameters
     * when it names a user, otherwise the source's {@code username} and {@code password-env}.
     */
    record Credentials(String username, String password) {
        static Credentials of(String targetUrl, DatabaseSpec source) {
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
