package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.restore.FilesBrowser;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.util.List;

/** {@code ls} and {@code versions}: look into snapshots without restoring. */
@Command
public class BrowseCommands {
    private final RepositorySession session;

    public BrowseCommands(RepositorySession session) {
        this.session = session;
    }

    @Command(command = "ls", description = "List the files of a folder in a snapshot")
    public String ls(
            @Option(longNames = "snapshot", required = true, label = "SNAPSHOT",
                    description = "snapshot id or unique prefix")
            @OptionValues(provider = "snapshotIds") String snapshot,
            @Option(longNames = "path", label = "PATH", description = "folder or file relative to the source's folder")
            String path,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
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

    @Command(command = "versions", description = "Every stored version of one file")
    public String versions(
            @Option(longNames = "source", required = true, description = "the source holding the file")
            @OptionValues(provider = "sourceNames") String source,
            @Option(longNames = "file", required = true, description = "path relative to the source's folder")
            String file,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        FilesBrowser.Versions versions = new FilesBrowser(session.repository()).versions(source, file);
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

    /** {@code rwxr-xr-x}. */
    static String mode(int mode) {
        StringBuilder s = new StringBuilder(9);
        String letters = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            s.append((mode & (1 << bit)) != 0 ? letters.charAt((8 - bit) % 3) : '-');
        }
        return s.toString();
    }

    /** {@code ls --json}. */
    record ListingView(SnapshotRef snapshot, String path, boolean directory, List<FilesBrowser.Entry> entries) {
    }
}
