package io.restorekit.runbook;

import java.net.URI;
import java.nio.file.Path;

/**
 * How to reach the runbook store.
 *
 * @param repository   a local folder, or a Git URL ({@code ssh://}, {@code https://}, {@code file://})
 * @param home         {@code RK_HOME}; a remote is cloned under {@code home/runbooks-clone}
 * @param defaults     the folder of default runbooks a new store is created from; null or missing: none
 * @param identityFile the SSH private key; null: {@code ~/.ssh/id_ed25519}, then {@code ~/.ssh/id_rsa}
 * @param knownHosts   the SSH known_hosts file; null: {@code ~/.ssh/known_hosts}
 * @param httpUser     user name for https remotes, or null
 * @param httpPassword password or token for https remotes, or null
 */
public record RunbookStoreSettings(String repository, Path home, Path defaults, Path identityFile, Path knownHosts,
                                   String httpUser, String httpPassword) {

    /** Whether {@code repository} names a remote Git repository rather than a local folder. */
    public boolean isRemote() {
        return isRemote(repository);
    }

    public static boolean isRemote(String repository) {
        if (repository.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            return true;
        }
        // scp-like: git@host:ops/runbooks.git
        return repository.matches("[^/:\\s]+@[^/:\\s]+:.+");
    }

    /** The local clone of a remote store. */
    public Path cloneDir() {
        return home.resolve("runbooks-clone");
    }

    /** The remote with any password in it replaced, for messages. */
    public String redactedLocation() {
        try {
            URI uri = URI.create(repository);
            if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
                return repository.replace(uri.getUserInfo(), uri.getUserInfo().split(":")[0] + ":***");
            }
        } catch (IllegalArgumentException e) {
            return repository;
        }
        return repository;
    }
}
