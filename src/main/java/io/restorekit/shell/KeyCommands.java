package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.repository.KeyManager;
import io.restorekit.repository.Repository;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** {@code key list | add | passwd | remove}: the passwords of the repository. */
@Command(command = "key", group = "Keys")
public class KeyCommands {
    private final RepositorySession session;

    public KeyCommands(RepositorySession session) {
        this.session = session;
    }

    @Command(command = "list", description = "List the repository's keys (one per password)")
    public String list(@Option(longNames = "json", description = "print one JSON document") boolean json)
            throws IOException {
        List<KeyManager.KeyInfo> keys = session.repository().keys().list();
        if (json) {
            return Json.render(keys);
        }
        Table table = new Table("ID", "CREATED", "HOST", "USER", "KDF", "IN USE");
        keys.forEach(k -> table.row(shortId(k.id()), k.created() == null ? "" : Times.local(k.created()), k.host(),
                k.user(), k.kdf(), k.current() ? "*" : ""));
        return table.render().stripTrailing();
    }

    public String add() throws IOException {
        return add(false);
    }

    @Command(command = "add", description = "Add a password (RK_NEW_PASSWORD, or prompted twice)")
    public String add(@Option(longNames = "append-only", description = "whoever opens the repository with this"
            + " password cannot delete anything (for backup hosts)") boolean appendOnly) throws IOException {
        Repository repository = session.repository();
        char[] password = session.passwords().newPassword("a new key of repository " + repository.storage().location());
        try {
            KeyManager.KeyInfo key = appendOnly
                    ? repository.keys().add(password, repository.currentKdf(), true)
                    : repository.keys().add(password);
            return "added " + (appendOnly ? "append-only " : "") + "key " + shortId(key.id());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Command(command = "passwd", description = "Change the password you opened the repository with")
    public String passwd() throws IOException {
        Repository repository = session.repository();
        char[] password = session.passwords().newPassword("repository " + repository.storage().location());
        try {
            KeyManager.KeyInfo key = repository.keys().changePassword(password);
            return "changed the password (new key " + shortId(key.id()) + "); update RK_PASSWORD or RK_PASSWORD_FILE"
                    + " if you use them";
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Command(command = "remove", description = "Remove a key; never the last one or the one in use")
    public String remove(@Option(longNames = "id", required = true, description = "key id or unique prefix") String id)
            throws IOException {
        session.repository().keys().remove(id);
        return "removed key " + id;
    }

    private static String shortId(String id) {
        return id.substring(0, Math.min(8, id.length()));
    }
}
