package io.restorekit.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Storage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What opening a repository needs that no key protects, fetched on a second thread while the
 * password's KDF runs: the config and index files as stored, and a JSON mapping that has already
 * built its readers for the config, snapshots and locks (the first use costs a few hundred
 * milliseconds in a fresh JVM). Best effort: whatever fails is fetched again, in order, by the
 * caller, so errors surface exactly as without it.
 */
final class OpenPrefetch {
    /** Fetched items; null where fetching failed. {@code indexes} maps index id to stored bytes. */
    record Result(ObjectMapper json, byte[] config, Map<String, byte[]> indexes) {
    }

    private final CompletableFuture<Result> future = new CompletableFuture<>();

    private OpenPrefetch() {
    }

    static OpenPrefetch start(Storage storage) {
        OpenPrefetch p = new OpenPrefetch();
        Thread t = new Thread(() -> p.future.complete(fetch(storage)), "rk-open");
        t.setDaemon(true);
        t.start();
        return p;
    }

    Result result() {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, null, null);
        } catch (ExecutionException e) {
            return new Result(null, null, null);
        }
    }

    private static Result fetch(Storage storage) {
        byte[] config = null;
        Map<String, byte[]> indexes = null;
        try {
            config = storage.readAll(Handle.config());
        } catch (Exception | Error e) {
            // read again by the caller
        }
        try {
            List<FileInfo> files = Repository.list(storage, Kind.INDEX);
            Map<String, byte[]> read = new LinkedHashMap<>();
            for (FileInfo f : files) {
                read.put(f.handle().name(), storage.readAll(f.handle()));
            }
            indexes = read;
        } catch (Exception | Error e) {
            // read again by the caller
        }
        ObjectMapper json = null;
        try {
            json = Repository.objectMapper();
            json.readerFor(RepositoryConfig.class);
            json.readerFor(Snapshot.class);
            json.writerFor(Snapshot.class);
        } catch (Exception | Error e) {
            json = null;
        }
        return new Result(json, config, indexes);
    }
}
