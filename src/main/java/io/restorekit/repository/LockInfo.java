package io.restorekit.repository;

import java.time.Instant;
import java.util.List;

/**
 * A lock found in the repository.
 *
 * @param id    the lock object's name
 * @param stale older than 30 minutes, or written on this host by a process that no longer runs
 */
public record LockInfo(String id, boolean exclusive, String operation, List<String> sources, String host, long pid,
                       String user, Instant time, boolean stale) {
}
