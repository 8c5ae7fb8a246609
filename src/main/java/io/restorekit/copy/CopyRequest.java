package io.restorekit.copy;

import io.restorekit.storage.Storage;

import java.util.List;

/**
 * Which copies to bring up to date.
 *
 * @param destinations the copies, each with its name and its storage (created beforehand; the
 *                     caller closes it)
 */
public record CopyRequest(List<Destination> destinations) {
    public CopyRequest {
        destinations = List.copyOf(destinations);
    }

    /** One copy: its configured name and where it lives. */
    public record Destination(String name, Storage storage) {
    }
}
