package io.restorekit.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Storage;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The key files of a repository (docs/repository-format.md §4): listing reads their plain JSON
 * header, removal refuses to remove the last key and holds an exclusive lock.
 */
public final class RepositoryKeys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RepositoryKeys() {
    }

    /** One key file: who created it, when, and how its password is stretched. */
    public record KeyInfo(String id, Instant created, String host, String user, String kdf) {
    }

    /** Every key, oldest first. */
    public static List<KeyInfo> list(Storage storage) throws IOException {
        List<Handle> handles = new ArrayList<>();
        storage.list(Kind.KEY, (FileInfo info) -> handles.add(info.handle()));
        List<KeyInfo> keys = new ArrayList<>();
        for (Handle h : handles) {
            JsonNode n = JSON.readTree(storage.readAll(h));
            keys.add(new KeyInfo(h.name(), n.hasNonNull("created") ? Instant.parse(n.get("created").asText()) : null,
                    n.path("host").asText(null), n.path("user").asText(null), n.path("kdf").asText(null)));
        }
        keys.sort(Comparator.comparing(KeyInfo::created, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(KeyInfo::id));
        return keys;
    }

    /** Removes the key whose id starts with {@code idPrefix}; never the last one. */
    public static KeyInfo remove(Repository repository, String idPrefix) throws IOException {
        try (RepositoryLock lock = repository.lock(LockRequest.exclusive("key remove"))) {
            List<KeyInfo> keys = list(repository.storage());
            List<KeyInfo> matches = keys.stream().filter(k -> k.id().startsWith(idPrefix)).toList();
            if (matches.isEmpty()) {
                throw new BadInputException("no key with id '" + idPrefix + "'; run 'rk key list' to see the keys");
            }
            if (matches.size() > 1) {
                throw new BadInputException("key id '" + idPrefix + "' is ambiguous; give more characters");
            }
            if (keys.size() == 1) {
                throw new RkException(ErrorCode.FAILED, "key '" + idPrefix + "' is the repository's only key;"
                        + " add another one with 'rk key add' before removing it");
            }
            repository.storage().remove(new Handle(Kind.KEY, matches.get(0).id()));
            return matches.get(0);
        }
    }

    /**
     * Removes every lock file: for locks left by processes that are gone. The caller has made sure
     * (and told the operator) that no other rk process works on the repository.
     */
    public static int removeAllLocks(Storage storage) throws IOException {
        List<Handle> locks = new ArrayList<>();
        storage.list(Kind.LOCK, info -> locks.add(info.handle()));
        for (Handle h : locks) {
            storage.remove(h);
        }
        return locks.size();
    }
}
