package io.restorekit.shell;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.Catalog;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ProgressListener;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.daemon.AlertHook;
import io.restorekit.daemon.Daemon;
import io.restorekit.daemon.DaemonState;
import io.restorekit.daemon.JobOutcome;
import io.restorekit.daemon.RecordedRuns;
import io.restorekit.daemon.ScheduledJob;
import io.restorekit.daemon.Trigger;
import io.restorekit.drill.DrillService;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code daemon}: runs the configured schedules until stopped. Built-in jobs are {@code backup},
 * {@code verify} and {@code drill}; any {@link ScheduledJob} bean adds (or replaces) a job by name,
 * and an {@link AlertHook} bean is called after every job and every five minutes.
 */
@Command
public class DaemonCommand {
    /** Schedule keys in the order jobs run when several are due at once. */
    static final List<String> ORDER = List.of("backup", "copy", "verify", "drill", "forget", "prune");

    private final RepositorySession session;
    private final Interaction interaction;
    private final Catalog catalog;
    private final ObjectProvider<ScheduledJob> extraJobs;
    private final ObjectProvider<AlertHook> alerts;
    private final ObjectProvider<io.restorekit.config.Operations> operations;

    public DaemonCommand(RepositorySession session, Interaction interaction, Catalog catalog,
                         ObjectProvider<ScheduledJob> extraJobs, ObjectProvider<AlertHook> alerts,
                         ObjectProvider<io.restorekit.config.Operations> operations) {
        this.operations = operations;
        this.session = session;
        this.interaction = interaction;
        this.catalog = catalog;
        this.extraJobs = extraJobs;
        this.alerts = alerts;
    }

    @Command(command = "daemon", description = "Run the configured schedules (backup, verify, drill, ...) until"
            + " stopped; SIGTERM lets the running job finish")
    public String daemon(
            @Option(longNames = "grace", defaultValue = "300", description = "seconds the running job may take to"
                    + " finish after SIGTERM before it is interrupted") int grace) {
        Map<String, ScheduledJob> jobs = builtInJobs(session, catalog, operations.getIfAvailable());
        extraJobs.orderedStream().forEach(j -> jobs.put(j.name(), j));
        PrintStream out = interaction.out();
        Consumer<String> log = line -> {
            out.println(Instant.now() + " " + line);
            out.flush();
        };
        Daemon daemon = daemon(session.config(), jobs, new DaemonState(session.home()), Clock.systemUTC(), log,
                alerts.getIfAvailable(() -> AlertHook.NONE));
        Thread hook = new Thread(() -> daemon.stop(Duration.ofSeconds(grace)), "rk-daemon-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        log.accept("daemon started (pid " + ProcessHandle.current().pid() + ")");
        io.restorekit.status.MetricsServer metrics = startMetrics(log);
        int runs;
        try {
            runs = daemon.run(0);
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // stopped by a signal: the hook is what ended the loop
        }
        return "daemon stopped after " + RepositoryCommands.plural(runs, "run");
    }

    /** The Prometheus endpoint of {@code metrics.port}, or null when it is not configured. */
    private io.restorekit.status.MetricsServer startMetrics(Consumer<String> log) {
        RkConfig.Metrics m = session.config().metrics();
        io.restorekit.config.Operations ops = operations.getIfAvailable();
        if (m == null || m.port() <= 0 || ops == null) {
            return null;
        }
        try {
            io.restorekit.status.MetricsServer server = io.restorekit.status.MetricsServer.start(m.bind(), m.port(),
                    () -> io.restorekit.status.StatusService.prometheus(ops.status().status()));
            log.accept("metrics at http://" + m.bind() + ":" + server.port() + "/metrics");
            return server;
        } catch (java.io.IOException e) {
            log.accept("metrics: cannot listen on " + m.bind() + ":" + m.port() + ": " + e.getMessage()
                    + "; the daemon runs without them");
            return null;
        }
    }

    /** A daemon over the schedules of {@code config} that have a job; a schedule without one is logged and skipped. */
    static Daemon daemon(RkConfig config, Map<String, ScheduledJob> jobs, DaemonState state, Clock clock,
                         Consumer<String> log, AlertHook alerts) {
        List<Daemon.Entry> entries = new ArrayList<>();
        schedules(config).forEach((name, cron) -> {
            ScheduledJob job = jobs.get(name);
            if (job == null) {
                log.accept(name + ": schedule '" + cron + "' is configured but this build has no '" + name
                        + "' job; skipped");
                return;
            }
            entries.add(new Daemon.Entry(job, cron, trigger(cron)));
        });
        if (entries.isEmpty()) {
            throw new BadInputException(config.file() + ": no schedule to run; add for example 'schedule: {backup:"
                    + " \"0 0 3 * * *\"}' (cron with seconds first)");
        }
        return new Daemon(entries, state, clock, log, alerts, Duration.ofMinutes(5));
    }

    /** The configured schedules by job name, in {@link #ORDER}. */
    static Map<String, String> schedules(RkConfig config) {
        RkConfig.Schedule s = config.schedule();
        Map<String, String> out = new LinkedHashMap<>();
        String[] crons = {s.backup(), s.copy(), s.verify(), s.drill(), s.forget(), s.prune()};
        for (int i = 0; i < ORDER.size(); i++) {
            if (crons[i] != null) {
                out.put(ORDER.get(i), crons[i]);
            }
        }
        return out;
    }

    static Trigger trigger(String cron) {
        CronExpression expression = CronExpression.parse(cron);
        return after -> {
            ZonedDateTime next = expression.next(after.atZone(ZoneId.systemDefault()));
            return next == null ? null : next.toInstant();
        };
    }

    /** backup, verify and drill over the session's repository, recording their runs in {@code catalog}. */
    static Map<String, ScheduledJob> builtInJobs(RepositorySession session, Catalog catalog) {
        return builtInJobs(session, catalog, null);
    }

    /**
     * The same; with {@code operations}, backups and verifies go through its runner, which also raises
     * their alerts (failed, size change, slow) as the commands do.
     */
    static Map<String, ScheduledJob> builtInJobs(RepositorySession session, Catalog catalog,
                                                 io.restorekit.config.Operations operations) {
        Map<String, ScheduledJob> jobs = new LinkedHashMap<>();
        RecordedRuns recorded = new RecordedRuns(catalog, Clock.systemUTC());
        jobs.put("backup", job("backup", () -> RecordedRuns.outcome(operations != null
                ? operations.runner().backup(new BackupService(session.repository()),
                        BackupRequest.of(session.config().sources()), ProgressListener.NONE).result()
                : recorded.backup(new BackupService(session.repository()), BackupRequest.of(session.config().sources()),
                        ProgressListener.NONE))));
        jobs.put("verify", job("verify", () -> RecordedRuns.outcome(operations != null
                ? operations.runner().verify(new VerifyService(session.repository()), new VerifyRequest(null, false),
                        ProgressListener.NONE).result()
                : recorded.verify(new VerifyService(session.repository()), new VerifyRequest(null, false),
                        ProgressListener.NONE))));
        jobs.put("forget", job("forget", () -> {
            RkConfig.Retention retention = session.config().retention();
            io.restorekit.retention.ForgetResult r = new io.restorekit.retention.ForgetService(session.repository(),
                    catalog, Clock.systemUTC()).forget(new io.restorekit.retention.ForgetRequest(retention.toPolicy(),
                    false, ZoneId.systemDefault()), ProgressListener.NONE);
            return JobOutcome.succeeded(RepositoryCommands.plural(r.removed(), "snapshot") + " forgotten");
        }));
        jobs.put("prune", job("prune", () -> {
            RkConfig.Retention retention = session.config().retention();
            io.restorekit.retention.PruneResult r = new io.restorekit.retention.PruneService(session.repository(),
                    catalog, Clock.systemUTC()).prune(new io.restorekit.retention.PruneRequest(false,
                    retention.repackThreshold() / 100, retention.pruneGrace()), ProgressListener.NONE);
            return JobOutcome.succeeded(r.report().reclaimedBytes() + " bytes reclaimed");
        }));
        jobs.put("drill", job("drill", () -> RecordedRuns.outcome(new DrillService(session.repository(), catalog,
                session.home(), Clock.systemUTC()).run(DrillCommands.request(session.config(), null, null, null, null,
                false), ProgressListener.NONE))));
        return jobs;
    }

    private interface Body {
        JobOutcome run() throws Exception;
    }

    private static ScheduledJob job(String name, Body body) {
        return new ScheduledJob() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public JobOutcome run() throws Exception {
                return body.run();
            }
        };
    }
}
