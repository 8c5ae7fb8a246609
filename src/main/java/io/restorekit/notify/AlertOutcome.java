package io.restorekit.notify;

import io.restorekit.catalog.AlertRecord;

import java.util.List;

/**
 * What an evaluation changed.
 *
 * @param raised         alerts opened now (a notice was sent)
 * @param resolved       alerts that cleared now (a recovery notice was sent)
 * @param ongoing        alerts still open that were already announced (no notice)
 * @param deliveryErrors notices that could not be delivered, per channel; also logged
 */
public record AlertOutcome(List<AlertRecord> raised, List<AlertRecord> resolved, List<AlertRecord> ongoing,
                           List<String> deliveryErrors) {
    public static final AlertOutcome NONE = new AlertOutcome(List.of(), List.of(), List.of(), List.of());

    public AlertOutcome {
        raised = List.copyOf(raised);
        resolved = List.copyOf(resolved);
        ongoing = List.copyOf(ongoing);
        deliveryErrors = List.copyOf(deliveryErrors);
    }
}
