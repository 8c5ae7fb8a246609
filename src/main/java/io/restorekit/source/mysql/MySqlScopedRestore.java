package io.restorekit.source.mysql;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.Repository;
import io.restorekit.source.postgres.RowMatch;
import io.restorekit.source.postgres.TableData;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.ForeignKey;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.ScopedRestore.Outcome;
import io.restorekit.source.postgres.ScopedRestore.Scope;
import io.restorekit.source.postgres.ScopedRestore.TablePlan;
import io.restorekit.source.postgres.TenantJoin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/**
 * Restores part of a MySQL snapshot: one tenant's rows, one module's tables, or both — with the
 * same plan, records and rules as the PostgreSQL {@link io.restorekit.source.postgres.ScopedRestore}.
 *
 * <p>Only the tables in scope are read, and within a tenant-grouped table only the chunks holding
 * that tenant's rows. Rows are matched by primary key against the database (as row text): those
 * the snapshot lacks are deleted, those that differ updated, those missing inserted. An in-place
 * apply runs in one InnoDB transaction with foreign key checks on, locking the scope's current
 * rows ({@code FOR UPDATE}), deleting children before parents and inserting parents before
 * children; AUTO_INCREMENT counters only ever move up. Any failure rolls all of it back.
 */
public final class MySqlScopedRestore {
    private final Repository repository;
    private int temp;

    public MySqlScopedRestore(Repository repository) {
        this.repository = repository;
    }

    /**
     * @param table   the table as restored: a system-versioned one's without its period columns
     * @param history the period of a table whose stored rows hold its history (only the current
     *                rows are restored); null for other tables
     */
    private record Selected(DatabaseManifest.Table table, TenantJoin join, SystemTime history) {
        String name() {
            return table.qualifiedName();
        }

        String quoted() {
            return ident(table.name());
        }
    }

    private record Diff(Selected selected, TablePlan plan, List<String> deleteKeys, List<String> updates,
                        List<String> inserts, boolean replaceAll, List<String> allSnapshotLines) {
    }

    private record Stored(List<String> lines, long bytes, long chunksRead) {
    }

    private static List<Selected> resolve(DatabaseManifest m, Scope scope, List<String> notes) {
        if (!m.scoped()) {
            throw new BadInputException("this snapshot serves whole restores only; back up again to restore by"
                    + " tenant or module");
        }
        List<DatabaseManifest.Table> tables = new ArrayList<>();
        if (scope.moduleTables() == null) {
            tables.addAll(m.tables());
        } else {
            for (String name : scope.moduleTables()) {
                List<DatabaseManifest.Table> found = m.tables().stream()
                        .filter(t -> t.name().equals(name) || t.qualifiedName().equals(name)).toList();
                if (found.isEmpty()) {
                    throw new BadInputException("module '" + scope.module() + "' names table '" + name
                            + "', which the snapshot does not hold; its tables: " + m.tables().stream()
                            .map(DatabaseManifest.Table::name).sorted().collect(Collectors.joining(", "))
                            + "; fix 'modules." + scope.module() + ".tables' in the configuration");
                }
                if (!tables.contains(found.get(0))) {
                    tables.add(found.get(0));
                }
            }
        }
        if (scope.tenant() != null) {
            boolean known = m.tables().stream().anyMatch(t -> t.tenantChunks() != null
                    && t.tenantChunks().containsKey(scope.tenant()));
            if (!known) {
                Set<String> tenants = new TreeSet<>(Comparator.comparing(String::length)
                        .thenComparing(Comparator.naturalOrder()));
                m.tables().stream().filter(t -> t.tenantChunks() != null)
                        .forEach(t -> tenants.addAll(t.tenantChunks().keySet()));
                throw new BadInputException("tenant '" + scope.tenant() + "' has no rows in the snapshot (tenant"
                        + " column '" + m.tenantColumn() + "'); tenants there: " + (tenants.isEmpty() ? "none"
                        : tenants.stream().limit(30).collect(Collectors.joining(", "))
                        + (tenants.size() > 30 ? ", ..." : "")));
            }
        }
        Map<String, SystemTime> history = SystemTime.withHistory(m);
        List<Selected> out = new ArrayList<>();
        for (DatabaseManifest.Table stored : tables) {
            // A system-versioned table is restored as its current rows; the server versions the
            // changes as it does any others, and its history is left as it is.
            SystemTime period = history.get(stored.name());
            DatabaseManifest.Table t = period == null ? stored : stored.withColumns(period.withoutPeriod(stored.columns()));
            if (period != null && (scope.tenant() == null || t.groupedByTenant())) {
                notes.add("table " + t.qualifiedName() + " is system-versioned: its current rows are restored,"
                        + " not its history (a whole restore brings that back)");
            }
            if (scope.tenant() == null) {
                out.add(new Selected(t, null, period));
            } else if (t.groupedByTenant()) {
                out.add(new Selected(t, TenantJoin.of(m, t), period));
            } else if (scope.moduleTables() != null) {
                notes.add("table " + t.qualifiedName() + " of module '" + scope.module() + "' has no tenant column"
                        + " and no foreign key leading to one: left out of the tenant restore");
            }
        }
        return ordered(out, m.foreignKeys());
    }

    /** Parents before children (foreign keys among the tables in scope); cycles keep name order. */
    private static List<Selected> ordered(List<Selected> tables, List<ForeignKey> foreignKeys) {
        Map<String, Selected> byName = new LinkedHashMap<>();
        tables.stream().sorted(Comparator.comparing(Selected::name)).forEach(s -> byName.put(s.name(), s));
        Map<String, Set<String>> parents = new HashMap<>();
        for (ForeignKey fk : foreignKeys) {
            if (byName.containsKey(fk.table()) && byName.containsKey(fk.references())
                    && !fk.table().equals(fk.references())) {
                parents.computeIfAbsent(fk.table(), k -> new TreeSet<>()).add(fk.references());
            }
        }
        List<Selected> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        boolean progress = true;
        while (out.size() < byName.size() && progress) {
            progress = false;
            for (Selected s : byName.values()) {
                if (!done.contains(s.name()) && done.containsAll(parents.getOrDefault(s.name(), Set.of()))) {
                    out.add(s);
                    done.add(s.name());
                    progress = true;
                }
            }
        }
        byName.values().stream().filter(s -> !done.contains(s.name())).forEach(out::add);
        return out;
    }

    /** What an in-place restore would change in {@code database}; changes nothing. */
    public Outcome plan(DatabaseManifest m, Scope scope, MySqlConnect database, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = resolve(m, scope, notes);
        MySqlRestore.checkLoad(database);
        Map<String, Map<String, String>> types = MySqlRestore.columnTypes(database);
        try (Connection c = database.open()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
            }
            List<Diff> diffs = diffs(c, scope, selected, types, false, progress);
            c.rollback();
            return outcome(database, m, diffs, notes, false, false, t0);
        } catch (SQLException e) {
            throw database.failure("plan the restore into", e);
        }
    }

    /** Applies the scope's rows of the snapshot to {@code database} in one transaction. */
    public Outcome applyInPlace(DatabaseManifest m, Scope scope, MySqlConnect database, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = resolve(m, scope, notes);
        MySqlRestore.checkLoad(database);
        Map<String, Map<String, String>> types = MySqlRestore.columnTypes(database);
        try (Connection c = database.open()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET SESSION innodb_lock_wait_timeout = 60");
                }
                List<Diff> diffs = diffs(c, scope, selected, types, true, progress);
                for (int i = diffs.size() - 1; i >= 0; i--) {
                    delete(c, diffs.get(i), scope, types);
                }
                for (Diff d : diffs) {
                    write(c, d, types);
                }
                c.commit();
                return outcome(database, m, diffs, notes, true, false, t0);
            } catch (SQLException | RuntimeException | IOException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (e instanceof SQLException sql) {
                    throw applyFailure(database, sql);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw database.failure("restore into", e);
        }
    }

    private static RkException applyFailure(MySqlConnect database, SQLException e) {
        String rolledBack = "; the transaction was rolled back, nothing was changed";
        int code = e.getErrorCode();
        if (code == 1451 || code == 1452) {
            return new RkException(ErrorCode.FAILED, "the restore into '" + database.url() + "' would break a"
                    + " foreign key: " + e.getMessage() + rolledBack + ". A row outside the scope (another"
                    + " tenant's, or a table outside the module) references a row being removed, or a restored"
                    + " row references one that no longer exists; widen the scope or fix that row first", e);
        }
        if (code == 1062) {
            return new RkException(ErrorCode.FAILED, "the restore into '" + database.url() + "' would duplicate"
                    + " a unique key: " + e.getMessage() + rolledBack + ". A row outside the scope now holds a"
                    + " value a restored row needs", e);
        }
        if (code == 1205 || code == 1213) {
            return new RkException(ErrorCode.FAILED, "the rows to restore in '" + database.url()
                    + "' stayed locked by other sessions" + rolledBack + "; try again", e);
        }
        RkException failure = database.failure("restore into", e);
        return new RkException(failure.code(), failure.getMessage() + rolledBack, e);
    }

    /**
     * Writes the scope's tables and rows into another database (created when missing): the tables
     * as the snapshot's DDL creates them (foreign keys included, checked only once the referenced
     * rows are there), then their rows.
     *
     * @param replace drop tables of the scope that the target already holds ({@code --yes})
     */
    public Outcome restoreInto(DatabaseManifest m, Scope scope, MySqlConnect target, boolean replace, boolean dryRun,
                               ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = resolve(m, scope, notes);
        MySqlRestore.checkLoad(target);
        long existing = MySqlRestore.tablesIn(target);
        List<Diff> diffs = new ArrayList<>();
        if (existing < 0 && dryRun) {
            for (Selected s : selected) {
                diffs.add(intoNew(s, scope, progress));
            }
            notes.add("database '" + target.database() + "' does not exist; it will be created");
            return outcome(target, m, diffs, notes, false, false, t0);
        }
        boolean created = false;
        if (existing < 0) {
            MySqlRestore.createDatabase(m, target);
            created = true;
        }
        try (Connection c = target.open()) {
            Set<String> there = new HashSet<>(MySqlRestore.columnTypes(target).keySet());
            List<String> present = selected.stream().map(s -> s.table().name()).filter(there::contains).toList();
            if (!present.isEmpty() && !replace) {
                throw new RkException(ErrorCode.FAILED, "database '" + target.database() + "' at '" + target.url()
                        + "' already holds " + String.join(", ", present) + "; nothing was changed. Restore into"
                        + " another database, or pass --yes to replace those tables there");
            }
            for (Selected s : selected) {
                diffs.add(intoNew(s, scope, progress));
            }
            // The tables to replace are set aside until the restore is done; the foreign keys of
            // tables outside the scope that reference them are dropped meanwhile (they would follow
            // the tables aside) and created again on the tables then in place.
            if (!present.isEmpty()) {
                List<ReplacedTables.Reference> outside = ReplacedTables.referencesFromOutside(c, present);
                notes.add("tables replaced in the target: " + String.join(", ", present)
                        + " (set aside until the restore is done, put back should it fail)" + (outside.isEmpty() ? ""
                        : "; the foreign keys referencing them from outside the scope are dropped meanwhile and"
                        + " created again: " + String.join(", ", outside.stream()
                        .map(ReplacedTables.Reference::describe).toList())));
            }
            if (dryRun) {
                return outcome(target, m, diffs, notes, false, false, t0);
            }
            try (Statement st = c.createStatement()) {
                st.execute("SET foreign_key_checks = 0");
            }
            ReplacedTables aside = present.isEmpty() ? null : ReplacedTables.of(target, present);
            try {
                load(c, m, target, selected, diffs, notes);
                if (aside != null) {
                    aside.referencesBack();
                }
            } catch (SQLException | IOException | RuntimeException e) {
                if (aside != null) {
                    throw putBack(aside, c, selected, target, e);
                }
                if (!created) {
                    throw dropCreated(c, selected, target, e);
                }
                throw e;
            }
            if (aside != null) {
                try {
                    aside.dangling().forEach((r, n) -> notes.add(r.describe() + ": " + r.dangling(n)));
                } catch (SQLException e) {
                    notes.add("the rows of the tables outside the scope that reference restored tables could not be"
                            + " checked: " + e.getMessage());
                }
                try {
                    aside.drop();
                } catch (SQLException e) {
                    throw new RkException(ErrorCode.FAILED, "the scope was restored into database '"
                            + target.database() + "', but dropping the tables it replaced failed (" + e.getMessage()
                            + "); they are kept in database '" + aside.name() + "' on the same server", e);
                }
            }
            return outcome(target, m, diffs, notes, true, created, t0);
        } catch (SQLException e) {
            throw target.failure("restore into", e);
        } catch (RuntimeException | IOException e) {
            if (created) {
                try {
                    MySqlRestore.dropDatabase(target);
                } catch (RuntimeException | SQLException dropped) {
                    e.addSuppressed(dropped);
                }
            }
            throw e;
        }
    }

    /** Creates the scope's tables in the target and loads their rows. */
    private static void load(Connection c, DatabaseManifest m, MySqlConnect target, List<Selected> selected,
                             List<Diff> diffs, List<String> notes) throws SQLException, IOException {
        Set<String> objects = selected.stream().map(s -> "table " + s.name()).collect(Collectors.toSet());
        List<Ddl> tables = MySqlRestore.tables(m).stream().filter(d -> objects.contains(d.object())).toList();
        MySqlRestore.execute(c, MySqlRestore.sequencesFor(m, tables));
        MySqlRestore.execute(c, tables);
        Map<String, Map<String, String>> types = MySqlRestore.columnTypes(target);
        for (Diff d : diffs) {
            loadLines(c, ident(d.selected().table().name()), d.selected().table().columns(),
                    types.get(d.selected().table().name()), d.allSnapshotLines());
        }
        Set<String> scoped = selected.stream().map(Selected::name).collect(Collectors.toSet());
        for (ForeignKey fk : m.foreignKeys()) {
            if (scoped.contains(fk.table()) && !scoped.contains(fk.references())) {
                notes.add("foreign key " + fk.name() + " of " + fk.table() + " references " + fk.references()
                        + ", which is outside the scope: created, but its rows are not there");
            }
        }
    }

    private static RkException failureOf(MySqlConnect target, Exception e) {
        return e instanceof RkException rk ? rk : e instanceof SQLException s ? target.failure("restore into", s)
                : new RkException(ErrorCode.FAILED, String.valueOf(e.getMessage()), e);
    }

    /** After a failed restore into a database it did not create: drops the scope's tables it created. */
    private static RkException dropCreated(Connection c, List<Selected> selected, MySqlConnect target, Exception e) {
        RkException failure = failureOf(target, e);
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + String.join(", ", selected.stream()
                    .map(s -> ident(s.table().name())).toList()));
        } catch (SQLException | RuntimeException notDropped) {
            e.addSuppressed(notDropped);
            return failure;
        }
        return new RkException(failure.code(), failure.getMessage() + "; the tables it had created in database '"
                + target.database() + "' were dropped", e);
    }

    /**
     * After a failed restore into a database whose tables it set aside: drops the scope's tables it
     * created and moves the old ones back; the failure to throw says how that went.
     */
    private static RkException putBack(ReplacedTables aside, Connection c, List<Selected> selected,
                                       MySqlConnect target, Exception e) {
        RkException failure = failureOf(target, e);
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + String.join(", ", selected.stream()
                    .map(s -> ident(s.table().name())).toList()));
            aside.putBack();
        } catch (SQLException | RuntimeException notBack) {
            e.addSuppressed(notBack);
            return new RkException(failure.code(), failure.getMessage() + "; the tables it replaced are kept in"
                    + " database '" + aside.name() + "' on the same server (putting them back failed: "
                    + notBack.getMessage() + ")", e);
        }
        return new RkException(failure.code(), failure.getMessage() + "; the tables it replaced were put back as"
                + " they were", e);
    }

    private Diff intoNew(Selected s, Scope scope, ProgressListener progress) throws IOException {
        Stored snap = storedRows(s, scope);
        progress.advance(snap.bytes, 1);
        TablePlan plan = new TablePlan(s.name(), snap.lines.size(), 0, 0, 0, snap.lines.size(), 0, snap.chunksRead,
                s.table().chunks().size(), snap.bytes, s.table().bytes());
        return new Diff(s, plan, List.of(), List.of(), snap.lines, false, snap.lines);
    }

    private Outcome outcome(MySqlConnect database, DatabaseManifest m, List<Diff> diffs, List<String> notes,
                            boolean applied, boolean created, long t0) {
        List<TablePlan> plans = diffs.stream().map(Diff::plan).toList();
        return new Outcome(database.database(), plans, notes,
                m.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum(),
                plans.stream().mapToLong(TablePlan::bytesRead).sum(), applied, created,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** The scope's rows of one table as stored, reading only the chunks that hold them. */
    private Stored storedRows(Selected s, Scope scope) throws IOException {
        DatabaseManifest.Table t = s.table();
        RowScanner scanner = new RowScanner(-1);
        List<String> lines = lines(scope.tenant() == null ? TableData.rows(repository, t, scanner)
                : TableData.tenantRows(repository, t, scope.tenant(), scanner));
        long expected = scope.tenant() == null ? t.rows() : t.tenantRows().getOrDefault(scope.tenant(), 0L);
        if (lines.size() != expected) {
            throw new RkException(ErrorCode.FAILED, "the stored rows of table '" + t.qualifiedName() + "' do not"
                    + " match the snapshot's manifest (" + lines.size() + " read, " + expected + " expected);"
                    + " run 'rk verify --read-data'");
        }
        if (s.history() != null) {
            lines = SystemTime.current(lines);
        }
        return new Stored(lines, scanner.bytes(), TableData.chunksRead(t, scope.tenant()));
    }

    private static List<String> lines(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        try (in) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, start, i - start);
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                        start = i + 1;
                    }
                }
                line.write(buffer, start, n - start);
            }
        }
        return lines;
    }

    private List<Diff> diffs(Connection c, Scope scope, List<Selected> selected, Map<String, Map<String, String>> types,
                             boolean lock, ProgressListener progress) throws SQLException, IOException {
        progress.total(selected.stream().mapToLong(s -> s.table().bytes()).sum(), selected.size());
        List<Diff> out = new ArrayList<>();
        for (Selected s : selected) {
            List<String> current = currentRows(c, s, scope, types.get(s.table().name()), lock);
            Stored snap = storedRows(s, scope);
            out.add(diff(s, snap, current));
            progress.advance(snap.bytes, 1);
        }
        return out;
    }

    private static List<String> currentRows(Connection c, Selected s, Scope scope, Map<String, String> types,
                                            boolean lock) throws SQLException, IOException {
        DatabaseManifest.Table t = s.table();
        if (types == null) {
            throw new RkException(ErrorCode.FAILED, "table '" + t.name() + "' does not exist in the database any"
                    + " more; restore the whole database into a new one, or recreate the table first");
        }
        List<Column> cols = t.columns().stream().map(n -> Column.of(n, types.getOrDefault(n, "text"))).toList();
        String query = s.join() != null ? new JoinSql(s.join()).tenantQuery(cols, scope.tenant())
                : "SELECT " + Column.readList(cols, "t0") + " FROM " + s.quoted() + " t0";
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(query + (lock ? " FOR UPDATE" : ""))) {
            RowSegments segments = new RowSegments(r, new RowEncoder(cols), null, new RowScanner(-1));
            segments.nextSegment();
            return lines(segments);
        } catch (RowSegments.ReadFailure e) {
            throw e.sql();
        }
    }

    private static Diff diff(Selected s, Stored snap, List<String> current) {
        DatabaseManifest.Table t = s.table();
        RowMatch r = RowMatch.of(t, snap.lines, current);
        TablePlan plan = new TablePlan(s.name(), snap.lines.size(), current.size(), r.toDelete(), r.updates().size(),
                r.toInsert(), r.unchanged(), snap.chunksRead, t.blobs().size(), snap.bytes, t.bytes());
        return new Diff(s, plan, r.deleteKeys(), r.updates(), r.inserts(), r.replaceAll(), snap.lines);
    }

    /** A temporary table with {@code columns} of {@code table} (types as there, no keys), filled with {@code lines}. */
    private String tempTable(Connection c, DatabaseManifest.Table t, List<String> columns, Map<String, String> types,
                             List<String> lines) throws SQLException {
        String name = "rk_restore_" + (++temp);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMPORARY TABLE " + name + " ENGINE=InnoDB AS SELECT " + JoinSql.selectList(columns)
                    + " FROM " + ident(t.name()) + " t0 LIMIT 0");
        }
        loadLines(c, name, columns, types, lines);
        return name;
    }

    private static void loadLines(Connection c, String table, List<String> columns, Map<String, String> types,
                                  List<String> lines) throws SQLException {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        long n = MySqlRestore.loadRows(c, table, columns, types,
                new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
        if (n != lines.size()) {
            throw new RkException(ErrorCode.FAILED, "the server took " + n + " of " + lines.size() + " rows into "
                    + table + "; nothing was changed");
        }
    }

    private void delete(Connection c, Diff d, Scope scope, Map<String, Map<String, String>> types)
            throws SQLException {
        DatabaseManifest.Table t = d.selected().table();
        String table = d.selected().quoted();
        if (d.replaceAll()) {
            String sql = d.selected().join() != null
                    ? "DELETE t0" + new JoinSql(d.selected().join()).from() + " WHERE "
                    + new JoinSql(d.selected().join()).tenantCondition(scope.tenant())
                    : "DELETE FROM " + table;
            check(c, sql, d.plan().currentRows(), "delete", t);
            return;
        }
        if (d.deleteKeys().isEmpty()) {
            return;
        }
        String keys = tempTable(c, t, t.primaryKey(), types.get(t.name()), d.deleteKeys());
        check(c, "DELETE d FROM " + table + " d JOIN " + keys + " k ON " + match("d", "k", t.primaryKey()),
                d.plan().toDelete(), "delete", t);
    }

    private void write(Connection c, Diff d, Map<String, Map<String, String>> types) throws SQLException {
        DatabaseManifest.Table t = d.selected().table();
        String table = d.selected().quoted();
        String columns = String.join(", ", t.columns().stream().map(MySqlConnect::ident).toList());
        if (!d.updates().isEmpty()) {
            List<String> set = t.columns().stream().filter(col -> !t.primaryKey().contains(col))
                    .map(col -> "d." + ident(col) + " = s." + ident(col)).toList();
            String rows = tempTable(c, t, t.columns(), types.get(t.name()), d.updates());
            if (!set.isEmpty()) {
                check(c, "UPDATE " + table + " d JOIN " + rows + " s ON " + match("d", "s", t.primaryKey())
                        + " SET " + String.join(", ", set), d.updates().size(), "update", t);
            }
        }
        if (!d.inserts().isEmpty()) {
            String rows = tempTable(c, t, t.columns(), types.get(t.name()), d.inserts());
            check(c, "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + rows,
                    d.inserts().size(), "insert", t);
        }
    }

    private static String match(String a, String b, List<String> key) {
        return String.join(" AND ", key.stream().map(k -> a + "." + ident(k) + " <=> " + b + "." + ident(k)).toList());
    }

    private static void check(Connection c, String sql, long expected, String what, DatabaseManifest.Table t)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            long n = st.executeLargeUpdate(sql);
            if (n != expected) {
                throw new RkException(ErrorCode.FAILED, "the restore would " + what + " " + n + " rows of table '"
                        + t.qualifiedName() + "' where the plan counted " + expected + "; the transaction was rolled"
                        + " back, nothing was changed");
            }
        }
    }
}
