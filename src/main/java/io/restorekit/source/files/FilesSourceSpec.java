package io.restorekit.source.files;

import io.restorekit.source.SourceSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * A directory tree to back up.
 *
 * @param exclude    glob patterns relative to {@code path} ({@code **}/*.tmp); matching files and
 *                   folders are skipped
 * @param tenantPath template locating a tenant's files, e.g. {@code tenant-{tenant}/**}; may be null
 */
public record FilesSourceSpec(String name, Path path, List<String> exclude, String tenantPath) implements SourceSpec {
    public FilesSourceSpec {
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    @Override
    public String type() {
        return "files";
    }
}
