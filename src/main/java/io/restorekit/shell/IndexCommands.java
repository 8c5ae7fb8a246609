package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.RebuildResult;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.IOException;

/** {@code index rebuild}: recreate the index from the pack headers. */
@Command(command = "index")
public class IndexCommands {
    private final RepositorySession session;
    private final Interaction io;

    public IndexCommands(RepositorySession session, Interaction io) {
        this.session = session;
        this.io = io;
    }

    @Command(command = "rebuild", description = "Recreate the index from the headers of every pack (after lost or"
            + " damaged index files, or to index the packs of an interrupted backup)")
    public String rebuild(@Option(longNames = "json", description = "print one JSON document") boolean json)
            throws IOException {
        Repository repository = session.repository();
        RebuildResult result;
        try (RepositoryLock lock = repository.lock(LockRequest.exclusive("index rebuild"));
             TerminalProgress progress = io.progress("reading pack headers", "packs")) {
            result = repository.rebuildIndex(progress);
        }
        if (json) {
            return Json.render(result);
        }
        StringBuilder out = new StringBuilder("indexed " + result.blobs() + " blobs of " + result.packs()
                + " packs; replaced " + result.replacedIndexFiles() + " index files");
        if (!result.unreadablePacks().isEmpty()) {
            out.append("\n").append(result.unreadablePacks().size()).append(" packs have no readable header;"
                    + " the old index files were kept for them: run 'rk verify --read-data'");
            result.unreadablePacks().forEach(p -> out.append("\n  data/").append(p, 0, 2).append('/').append(p));
        }
        return out.toString();
    }
}
