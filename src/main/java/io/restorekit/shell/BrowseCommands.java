package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.common.BadInputException;
import io.restorekit.restore.DatabaseBrowser;
import io.restorekit.restore.FilesBrowser;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code ls} and {@code versions}: look into snapshots (files, or a database's tables) without restoring. */
@Command
public class BrowseCommands {
    private final RepositorySession session;

    public BrowseCommands(RepositorySession session) {
        this.session = session;
    }

    @Command(command = "ls", description = "List the files of a folder in a snapshot, or the tables of a"
            + " database snapshot")
    public String ls(
            @Option(longNames = "snapshot", required = true, label = "SNAPSHOT",
                    description = "snapshot id or unique prefix")
            @OptionValues(provider = "snapshotIds") String snapshot,
            @Option(longNames = "path", label = "PATH", description = "folder or file relative to the source's folder;"
                    + " a table of a database snapshot")
            String path,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        if (DatabaseBrowser.isDatabase(session.repository().loadSnapshot(snapshot))) {
            return tables(snapshot, path, json);
        }
        FilesBrowser.Listing listing = new FilesBrowser(session.repository()).ls(snapshot, path);
        if (json) {
            return Json.render(new ListingView(SnapshotRef.of(listing.snapshot()), listing.path(),
                    listing.directory(), listing.entries()));
        }
        Table table = new Table("TYPE", "MODE", "SIZE", "MTIME", "NAME");
        for (FilesBrowser.Entry e : listing.entries()) {
            table.row(e.type(), mode(e.mode()), e.type().equals("dir") ? "" : Table.bytes(e.size()),
                    Times.local(e.mtime()), (listing.directory() ? e.name() : e.path())
                            + (e.target() == null ? "" : " -> " + e.target()));
        }
        String where = listing.path().isEmpty() ? "/" : listing.path();
        return "snapshot " + SnapshotRef.of(listing.snapshot()).describe() + ": " + where + "\n"
                + (table.isEmpty() ? "(empty folder)" : table.render().stripTrailing());
    }

    /** {@code ls} of a database snapshot: its tables, or those whose name or schema.name is {@code table}. */
    private String tables(String snapshot, String table, boolean json) throws IOException {
        DatabaseBrowser.Listing listing = new DatabaseBrowser(session.repository()).tables(snapshot);
        List<DatabaseBrowser.TableEntry> tables = listing.tables().stream()
                .filter(t -> table == null || table.equals(t.name()) || table.equals(t.schema() + "." + t.name()))
                .toList();
        if (table != null && tables.isEmpty()) {
            throw new BadInputException("snapshot " + listing.snapshot().shortId() + " has no table '" + table
                    + "'; list them with 'rk ls " + listing.snapshot().shortId() + "'");
        }
        if (json) {
            return Json.render(new TablesView(SnapshotRef.of(listing.snapshot()), listing.server(),
                    listing.database(), listing.schemaFingerprint(), listing.schemaObjects(), tables,
                    listing.warnings()));
        }
        Table out = new Table("TABLE", "ROWS", "SIZE", "NEW", "TENANTS");
        // Tenant ids are mostly numbers: 2 before 10.
        Map<String, Long> perTenant = new TreeMap<>(Comparator.comparing(String::length)
                .thenComparing(Comparator.naturalOrder()));
        for (DatabaseBrowser.TableEntry t : tables) {
            out.row(t.schema() + "." + t.name(), t.rows(), Table.bytes(t.bytes()), Table.bytes(t.addedBytes()),
                    t.tenantRows().isEmpty() ? "" : new Table.Right(String.valueOf(t.tenantRows().size())));
            t.tenantRows().forEach((tenant, rows) -> perTenant.merge(tenant, rows, Long::sum));
        }
        StringBuilder text = new StringBuilder("snapshot ").append(SnapshotRef.of(listing.snapshot()).describe())
                .append(": database '").append(listing.database()).append("' (").append(server(listing))
                .append("), ").append(RepositoryCommands.plural(tables.size(), "table")).append(", ")
                .append(RepositoryCommands.plural(tables.stream().mapToLong(DatabaseBrowser.TableEntry::rows).sum(),
                        "row")).append('\n').append(out.render());
        if (!perTenant.isEmpty()) {
            text.append("rows per tenant: ");
            perTenant.forEach((tenant, rows) -> text.append(tenant).append('=').append(rows).append(' '));
            text.setLength(text.length() - 1);
            text.append('\n');
        }
        listing.warnings().forEach(w -> text.append("warning: ").append(w).append('\n'));
        if (table == null) {
            moduleProblems(listing).forEach(w -> text.append("warning: ").append(w).append('\n'));
        }
        return text.toString().stripTrailing();
    }

    @Command(command = "versions", description = "Every stored version of one file")
    public String versions(
            @Option(longNames = "source", required = true, description = "the source holding the file")
            @OptionValues(provider = "sourceNames") String source,
            @Option(longNames = "file", required = true, description = "path relative to the source's folder")
            String file,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        FilesBrowser.Versions versions = new FilesBrowser(session.repository(), session.home().resolve("cache"))
                .versions(source, file);
        if (json) {
            return Json.render(versions);
        }
        Table table = new Table("SNAPSHOT", "TIME", "TYPE", "SIZE", "SHA256", "CHANGED");
        for (FilesBrowser.FileVersion v : versions.versions()) {
            table.row(v.snapshotId().substring(0, 8), Times.local(v.time()), v.type(), Table.bytes(v.size()),
                    v.sha256() == null ? "" : v.sha256().substring(0, Math.min(12, v.sha256().length())),
                    v.changed() ? "*" : "");
        }
        return source + ": " + versions.path() + "\n" + table.render().stripTrailing();
    }

    /**
     * Configured module tables this database snapshot does not hold (a restore of that module from
     * it would fail): for modules it holds some tables of, or every module when the configuration
     * has one database source only.
     */
    private List<String> moduleProblems(DatabaseBrowser.Listing listing) {
        boolean single = session.config().sources().stream().filter(s -> !s.type().equals("files")).count() == 1;
        List<String> out = new java.util.ArrayList<>();
        for (var m : session.config().modules().values()) {
            List<String> missing = m.tables().stream().filter(name -> listing.tables().stream().noneMatch(t ->
                    name.equals(t.name()) || name.equals(t.schema() + "." + t.name()))).toList();
            if (!missing.isEmpty() && (single || missing.size() < m.tables().size())) {
                missing.forEach(name -> out.add("module '" + m.name() + "' names table '" + name
                        + "', which this snapshot does not hold"));
            }
        }
        return out;
    }

    /** {@code rwxr-xr-x}. */
    static String mode(int mode) {
        StringBuilder s = new StringBuilder(9);
        String letters = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            s.append((mode & (1 << bit)) != 0 ? letters.charAt((8 - bit) % 3) : '-');
        }
        return s.toString();
    }

    /** {@code ls --json} of a database snapshot. */
    record TablesView(SnapshotRef snapshot, String server, String database, String schemaFingerprint,
                      int schemaObjects, List<DatabaseBrowser.TableEntry> tables, List<String> warnings) {
    }

    /** {@code ls --json}. */
    record ListingView(SnapshotRef snapshot, String path, boolean directory, List<FilesBrowser.Entry> entries) {
    }

    /** "PostgreSQL 17.2", "MariaDB 11.4.5", "MySQL 8.0.36". */
    private static String server(DatabaseBrowser.Listing listing) {
        String v = listing.server();
        if (!io.restorekit.source.postgres.DatabaseManifest.MYSQL_KIND.equals(listing.snapshot().kind())) {
            return "PostgreSQL " + v;
        }
        return v.contains("MariaDB") ? "MariaDB " + v.replaceFirst("-MariaDB.*$", "") : "MySQL " + v;
    }
}
