package io.restorekit.repository;

import java.util.List;

/**
 * What a lock is for. Exclusive locks (prune) exclude all others; shared locks coexist, except
 * that two operations named {@code backup} exclude each other when their sources overlap.
 */
public record LockRequest(boolean exclusive, String operation, List<String> sources) {
    public static LockRequest shared(String operation) {
        return new LockRequest(false, operation, List.of());
    }

    public static LockRequest exclusive(String operation) {
        return new LockRequest(true, operation, List.of());
    }

    public static LockRequest backup(List<String> sources) {
        return new LockRequest(false, "backup", List.copyOf(sources));
    }
}
