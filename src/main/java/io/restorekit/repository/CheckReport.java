package io.restorekit.repository;

import java.util.List;
import java.util.Set;

/**
 * What {@link Repository#check} found. It never stops at the first problem: every finding says
 * what it is about and which blobs it affects, so callers can map them to snapshots and files.
 *
 * @param bytesRead pack bytes read and verified (0 without reading data)
 */
public record CheckReport(List<Finding> findings, int packs, int indexFiles, int snapshots, long blobs,
                          long bytesRead) {

    public CheckReport {
        findings = List.copyOf(findings);
    }

    public enum Severity { ERROR, WARNING }

    /**
     * One problem.
     *
     * @param object the object concerned, as its path ({@code data/ab/ab12...}, {@code index/...},
     *               {@code snapshots/...})
     * @param blobs  the blobs that can no longer be read because of it (may be empty)
     */
    public record Finding(Severity severity, String object, String message, Set<BlobId> blobs) {
        public Finding {
            blobs = Set.copyOf(blobs);
        }
    }

    public List<Finding> errors() {
        return findings.stream().filter(f -> f.severity() == Severity.ERROR).toList();
    }

    public List<Finding> warnings() {
        return findings.stream().filter(f -> f.severity() == Severity.WARNING).toList();
    }

    /** No errors (warnings allowed). */
    public boolean ok() {
        return errors().isEmpty();
    }
}
