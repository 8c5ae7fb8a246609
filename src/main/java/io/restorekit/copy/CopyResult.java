package io.restorekit.copy;

import io.restorekit.common.ErrorCode;

import java.util.List;

/** What a copy run did, per destination. */
public record CopyResult(List<DestinationResult> destinations) {
    public CopyResult {
        destinations = List.copyOf(destinations);
    }

    public boolean succeeded() {
        return destinations.stream().allMatch(DestinationResult::succeeded);
    }

    /** The exit code of the run: the first failure's, else OK. */
    public ErrorCode code() {
        return destinations.stream().filter(d -> !d.succeeded()).map(DestinationResult::code).findFirst()
                .orElse(ErrorCode.OK);
    }

    /**
     * One destination.
     *
     * @param copiedObjects objects transferred by this run
     * @param copiedBytes   their bytes
     * @param presentObjects objects the copy already had
     * @param extraObjects  objects only the copy has (removed from the primary by prune since)
     * @param snapshots     snapshots the copy holds after the run
     * @param problems      objects that could not be copied and why (the copy stays valid without them)
     * @param errorCode     why the destination failed, or null
     * @param error         operator-facing message, or null
     */
    public record DestinationResult(String name, String location, long copiedObjects, long copiedBytes,
                                    long presentObjects, long extraObjects, long snapshots, List<String> problems,
                                    long durationMs, ErrorCode errorCode, String error) {
        public DestinationResult {
            problems = List.copyOf(problems);
        }

        public boolean succeeded() {
            return errorCode == null && problems.isEmpty();
        }

        public ErrorCode code() {
            return errorCode != null ? errorCode : problems.isEmpty() ? ErrorCode.OK : ErrorCode.PROBLEMS_FOUND;
        }
    }
}
