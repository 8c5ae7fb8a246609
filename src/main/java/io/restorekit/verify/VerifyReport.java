package io.restorekit.verify;

import java.util.List;

/**
 * The outcome of a verification: every problem found, never only the first.
 *
 * @param snapshots snapshots whose trees were walked
 * @param files     file entries checked (every snapshot counted)
 * @param bytesRead bytes read and authenticated ({@code --read-data}); 0 otherwise
 */
public record VerifyReport(boolean readData, int snapshots, long files, int packs, long blobs, long bytesRead,
                           long durationMs, List<Problem> problems) {

    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** True when no problem is an error (warnings allowed). */
    public boolean ok() {
        return problems.stream().noneMatch(p -> p.severity() == Severity.ERROR);
    }

    public long errors() {
        return problems.stream().filter(p -> p.severity() == Severity.ERROR).count();
    }

    public long warnings() {
        return problems.size() - errors();
    }

    public enum Severity { ERROR, WARNING }

    /**
     * One problem and what it affects.
     *
     * @param object        the damaged or missing object ({@code data/ab/ab12…}, {@code blob 3f2a…})
     * @param snapshots     ids of the snapshots that can no longer be fully restored
     * @param files         affected files as {@code <snapshot short id>:<source>:<path>}, at most
     *                      {@link VerifyService#MAX_FILES_LISTED}
     * @param moreFiles     affected files beyond those listed
     */
    public record Problem(Severity severity, String object, String message, List<String> snapshots,
                          List<String> files, long moreFiles) {
        public Problem {
            snapshots = List.copyOf(snapshots);
            files = List.copyOf(files);
        }
    }
}
