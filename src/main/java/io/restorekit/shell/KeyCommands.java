package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositoryKeys;
import io.restorekit.config.RepositorySession;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.IOException;
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
        List<RepositoryKeys.KeyInfo> keys = RepositoryKeys.list(session.repository().storage());
        if (json) {
            return Json.render(keys);
        }
        Table table = new Table("ID", "CREATED", "HOST", "USER", "KDF");
        keys.forEach(k -> table.row(k.id().substring(0, Math.min(8, k.id().length())),
                k.created() == null ? "" : RepositoryCommands.LOCAL_TIME.format(k.created()), k.host(), k.user(),
                k.kdf()));
        return table.render().stripTrailing();
    }

    @Command(command = "add", description = "Add a password (RK_NEW_PASSWORD, or prompted twice)")
    public String add() {
        throw notYet("key add");
    }

    @Command(command = "passwd", description = "Change the password you opened the repository with")
    public String passwd() {
        throw notYet("key passwd");
    }

    @Command(command = "remove", description = "Remove a key; never the last one")
    public String remove(@Option(longNames = "id", required = true, description = "key id or unique prefix") String id)
            throws IOException {
        RepositoryKeys.KeyInfo removed = RepositoryKeys.remove(session.repository(), id);
        return "removed key " + removed.id().substring(0, 8);
    }

    private static RkException notYet(String command) {
        return new RkException(ErrorCode.FAILED, "'" + command + "' is not available yet in this build");
    }
}
