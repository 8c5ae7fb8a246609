package io.restorekit.repository;

import io.restorekit.common.BadInputException;
import io.restorekit.repository.RepositoryOptions.KdfParams;
import io.restorekit.repository.crypto.KeyFile;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectNotFoundException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The passwords of a repository: one key file each, all wrapping the same master key (§4).
 * Changing a password writes the new key file before removing the old one; the last key and the
 * key this repository was opened with are never removed.
 */
public final class KeyManager {
    private final Repository repo;

    KeyManager(Repository repo) {
        this.repo = repo;
    }

    /**
     * One key file.
     *
     * @param current whether this repository was opened with it
     */
    public record KeyInfo(String id, Instant created, String host, String user, String kdf, boolean current) {
    }

    /** Every key, oldest first. */
    public List<KeyInfo> list() throws IOException {
        List<KeyInfo> out = new ArrayList<>();
        for (FileInfo f : Repository.list(repo.storage, Kind.KEY)) {
            try {
                KeyFile k = KeyFile.parse(repo.storage.readAll(f.handle()));
                String id = f.handle().name();
                out.add(new KeyInfo(id, k.created(), k.host(), k.user(), k.kdf(), id.equals(repo.currentKeyId)));
            } catch (ObjectNotFoundException gone) {
                // removed meanwhile
            }
        }
        out.sort(Comparator.comparing(KeyInfo::created, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(KeyInfo::id));
        return out;
    }

    /** Adds a password, hashed like the key in use. */
    public KeyInfo add(char[] password) throws IOException {
        return add(password, repo.currentKey.kdfParams());
    }

    public KeyInfo add(char[] password, KdfParams kdf) throws IOException {
        return add(password, kdf, false);
    }

    /**
     * Adds a password; with {@code appendOnly}, a repository opened with it refuses forget, prune
     * and every other deletion (for backup hosts that ransomware could control).
     */
    public KeyInfo add(char[] password, KdfParams kdf, boolean appendOnly) throws IOException {
        KeyFile file = KeyFile.create(repo.masterKey, password, kdf, Repository.host(), Repository.user(),
                repo.clock.instant()).withAppendOnly(appendOnly || repo.appendOnly());
        String id = Repository.saveKeyFile(repo.storage, file);
        return new KeyInfo(id, file.created(), file.host(), file.user(), file.kdf(), false);
    }

    /** Replaces the password in use: the new key file is written first, then the old one removed. */
    public KeyInfo changePassword(char[] newPassword) throws IOException {
        if (repo.appendOnly()) {
            throw new io.restorekit.common.RkException(io.restorekit.common.ErrorCode.NOT_PERMITTED,
                    "repository '" + repo.storage.location() + "' is append-only here: the old key could not be"
                            + " removed; add a key with 'rk key add' instead");
        }
        KeyFile file = KeyFile.create(repo.masterKey, newPassword, repo.currentKey.kdfParams(), Repository.host(),
                Repository.user(), repo.clock.instant());
        String id = Repository.saveKeyFile(repo.storage, file);
        String old = repo.currentKeyId;
        repo.currentKey = file;
        repo.currentKeyId = id;
        repo.storage.remove(new Handle(Kind.KEY, old));
        return new KeyInfo(id, file.created(), file.host(), file.user(), file.kdf(), true);
    }

    /** Removes a key given by id or unique prefix, under an exclusive lock. */
    public void remove(String idOrPrefix) throws IOException {
        String prefix = idOrPrefix == null ? "" : idOrPrefix.trim().toLowerCase(Locale.ROOT);
        List<KeyInfo> keys = list();
        List<KeyInfo> matches = keys.stream().filter(k -> !prefix.isEmpty() && k.id().startsWith(prefix)).toList();
        if (matches.isEmpty()) {
            throw new BadInputException("no key of repository '" + repo.storage.location() + "' has an id starting with '"
                    + idOrPrefix + "'; see 'rk key list'");
        }
        if (matches.size() > 1) {
            throw new BadInputException("key id prefix '" + idOrPrefix + "' matches " + matches.size()
                    + " keys; give more characters (see 'rk key list')");
        }
        KeyInfo key = matches.get(0);
        if (keys.size() == 1) {
            throw new BadInputException("key " + key.id().substring(0, 8) + " is the last key of repository '"
                    + repo.storage.location() + "'; removing it would make the repository unreadable");
        }
        if (key.current()) {
            throw new BadInputException("key " + key.id().substring(0, 8) + " is the one in use; to remove it,"
                    + " open the repository with another password, or use 'rk key passwd' to change it");
        }
        try (RepositoryLock lock = repo.lock(LockRequest.exclusive("key remove"))) {
            repo.storage.remove(new Handle(Kind.KEY, key.id()));
        }
    }
}
