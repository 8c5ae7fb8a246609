package io.restorekit.notify;

import io.restorekit.catalog.AlertRecord;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunQuery;
import io.restorekit.common.Sizes;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@link Evaluation}s into alerts: a condition found for the first time opens an alert in the
 * catalog and sends a notice on every channel; while it lasts nothing more is sent; when a checked
 * condition no longer holds, the alert clears and a recovery notice goes out. Nothing here ever
 * throws: a catalog or delivery failure is logged and reported in the {@link AlertOutcome}, so
 * alerting never fails the operation it follows.
 */
public final class AlertService {
    private static final System.Logger LOG = System.getLogger(AlertService.class.getName());

    private final Catalog catalog;
    private final AlertRules rules;
    private final List<Channel> channels;
    private final boolean successSummary;
    private final Clock clock;

    public AlertService(Catalog catalog, AlertRules rules, List<Channel> channels, boolean successSummary, Clock clock) {
        this.catalog = catalog;
        this.rules = rules;
        this.channels = List.copyOf(channels);
        this.successSummary = successSummary;
        this.clock = clock;
    }

    public AlertRules rules() {
        return rules;
    }

    /** After a run has ended: its failures, and for backups size and duration against the recent ones. */
    public AlertOutcome afterRun(Run run) {
        List<String> errors = new ArrayList<>();
        Evaluation evaluation;
        try {
            List<Run> previous = catalog.runs(new RunQuery(run.kind(), run.source(), null, AlertRules.RECENT + 5))
                    .stream().filter(r -> r.id() != run.id() && r.started().isBefore(run.started())).toList();
            evaluation = rules.afterRun(run, previous);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "alerts: cannot read previous runs: " + e.getMessage());
            return new AlertOutcome(List.of(), List.of(), List.of(), List.of("catalog: " + e.getMessage()));
        }
        AlertOutcome outcome = apply(evaluation);
        if (successSummary && run.kind() == io.restorekit.catalog.RunKind.BACKUP && AlertRules.succeeded(run)) {
            errors.addAll(deliver(summary(run)));
        }
        if (errors.isEmpty()) {
            return outcome;
        }
        errors.addAll(0, outcome.deliveryErrors());
        return new AlertOutcome(outcome.raised(), outcome.resolved(), outcome.ongoing(), errors);
    }

    /** Opens, keeps or clears alerts after {@code evaluation}, sending notices for the changes. */
    public AlertOutcome apply(Evaluation evaluation) {
        Instant now = clock.instant();
        List<AlertRecord> raised = new ArrayList<>();
        List<AlertRecord> resolved = new ArrayList<>();
        List<AlertRecord> ongoing = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try {
            for (Condition c : evaluation.found()) {
                Optional<AlertRecord> open = catalog.openAlert(c.key());
                if (open.isPresent()) {
                    ongoing.add(catalog.saveAlert(open.get().seen(now, c.message())));
                    continue;
                }
                AlertRecord alert = catalog.saveAlert(new AlertRecord(0, c.key(), c.kind(), c.subject(), c.severity(),
                        c.message(), now, now, null));
                raised.add(alert);
                errors.addAll(deliver(firing(c)));
            }
            List<String> stillFound = evaluation.found().stream().map(Condition::key).toList();
            for (String key : evaluation.checked()) {
                if (stillFound.contains(key)) {
                    continue;
                }
                Optional<AlertRecord> open = catalog.openAlert(key);
                if (open.isPresent()) {
                    AlertRecord cleared = catalog.saveAlert(open.get().clearedAt(now));
                    resolved.add(cleared);
                    errors.addAll(deliver(recovery(cleared, now)));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "alerts: catalog unavailable: " + e.getMessage());
            errors.add("catalog: " + e.getMessage());
        }
        return new AlertOutcome(raised, resolved, ongoing, errors);
    }

    private List<String> deliver(Notice notice) {
        List<String> errors = new ArrayList<>();
        for (Channel channel : channels) {
            try {
                channel.send(notice);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                String message = channel.describe() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.log(System.Logger.Level.WARNING, "alert '" + notice.subject() + "' not delivered by " + message);
                errors.add(message);
            }
        }
        return errors;
    }

    static Notice firing(Condition c) {
        String body = c.summary() + ".\n\n"
                + (c.detail() == null || c.detail().isBlank() ? "" : "Error: " + c.detail() + "\n\n")
                + "What to check: " + c.check() + ".\n\n"
                + "This alert is sent once; a recovery notice follows when the condition clears.\n"
                + "Alert key: " + c.key() + "\n";
        return new Notice("firing", c.key(), c.kind(), c.severity(),
                "[rk " + c.severity().toUpperCase(java.util.Locale.ROOT) + "] " + c.summary(), body);
    }

    static Notice recovery(AlertRecord a, Instant now) {
        String body = "Recovered: " + a.message() + "\n\n"
                + "Open from " + a.opened() + " to " + now + " (" + AlertRules.age(java.time.Duration.between(
                a.opened(), now)) + ").\nAlert key: " + a.key() + "\n";
        return new Notice("resolved", a.key(), a.kind(), a.severity(), "[rk RESOLVED] " + a.message()
                .split(": ", 2)[0], body);
    }

    static Notice summary(Run run) {
        String body = "Backup of source '" + run.source() + "' succeeded"
                + (run.snapshot() == null ? "" : " (snapshot " + run.snapshot().substring(0, Math.min(8,
                run.snapshot().length())) + ")") + ".\n\n"
                + "Start:     " + run.started() + "\n"
                + "End:       " + run.ended() + "\n"
                + "Duration:  " + (run.duration() == null ? "?" : Sizes.millis(run.duration().toMillis())) + "\n"
                + "Read:      " + Sizes.bytes(run.bytesRead()) + (run.files() > 0 ? " in " + run.files() + " files" : "")
                + (run.rows() > 0 ? ", " + run.rows() + " rows" : "") + "\n"
                + "New after deduplication: " + Sizes.bytes(run.bytesAdded()) + "\n"
                + "Stored after compression and encryption: " + Sizes.bytes(run.bytesStored()) + "\n"
                + "Destination: " + (run.repository() == null ? "primary" : run.repository()) + "\n";
        return new Notice("info", null, "BACKUP_SUCCEEDED", "info", "[rk OK] backup of '" + run.source() + "' succeeded",
                body);
    }
}
