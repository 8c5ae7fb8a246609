package io.restorekit.status;

import io.restorekit.repository.Snapshot;

import java.nio.file.Path;
import java.util.List;

/**
 * How the status reaches one repository (the primary or a copy).
 *
 * @param localPath the folder on a local disk, for free space; null for remote storage
 */
public record RepositoryProbe(String name, String location, Path localPath, Lister snapshots) {

    /** Lists the repository's snapshots (opening it as needed); throws when it cannot be reached or opened. */
    @FunctionalInterface
    public interface Lister {
        List<Snapshot> list() throws Exception;
    }
}
