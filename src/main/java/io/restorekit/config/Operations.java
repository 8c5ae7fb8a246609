package io.restorekit.config;

import io.restorekit.catalog.AuditSpool;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.JdbcCatalog;
import io.restorekit.catalog.LazyCatalog;
import io.restorekit.notify.AlertRules;
import io.restorekit.notify.AlertService;
import io.restorekit.notify.Channel;
import io.restorekit.notify.EmailChannel;
import io.restorekit.notify.WebhookChannel;
import io.restorekit.repository.Repository;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.status.CatalogRebuild;
import io.restorekit.status.RecordingRunner;
import io.restorekit.status.ReportService;
import io.restorekit.status.RepositoryProbe;
import io.restorekit.status.StatusService;
import io.restorekit.status.StatusSettings;
import io.restorekit.storage.Storage;
import org.springframework.scheduling.support.CronExpression;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the operations services from the configuration: the catalog, alerting, the recording
 * runner for backup/verify/copy, status (with its periodic alert rules), reports and catalog
 * rebuild. The commands and the daemon get the same objects from here; a daemon calls
 * {@code status().check()} periodically and serves {@code StatusService.prometheus(report)} on
 * {@code metrics.port}.
 */
public final class Operations {
    private final RepositorySession session;
    private final StorageFactory storages;
    private final ConfigLoader loader;
    private final Catalog catalog;
    private final Clock clock;

    public Operations(RepositorySession session, StorageFactory storages, ConfigLoader loader, Catalog catalog,
                      Clock clock) {
        this.session = session;
        this.storages = storages;
        this.loader = loader;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** The catalog of {@code catalog.url}, opened on first use; audit entries before that go to {@code RK_HOME/audit.spool}. */
    public static LazyCatalog lazyCatalog(RepositorySession session, ConfigLoader loader) {
        return new LazyCatalog(() -> {
            if (!session.configured()) {
                // Commands that work without a configuration (runbooks, demo) still keep their history.
                return JdbcCatalog.open(ConfigLoader.defaultCatalog(loader.home()), null, null);
            }
            RkConfig.Catalog c = session.config().catalog();
            return JdbcCatalog.open(c.url(), c.username(), loader.environment(c.passwordEnv()));
        }, new AuditSpool(loader.home().resolve("audit.spool")));
    }

    public Catalog catalog() {
        return catalog;
    }

    public RkConfig config() {
        return session.config();
    }

    public AlertService alerts() {
        RkConfig config = session.config();
        RkConfig.Alerts a = config.alerts();
        List<Channel> channels = new ArrayList<>();
        if (a.email() != null) {
            RkConfig.Alerts.Email e = a.email();
            channels.add(new EmailChannel(e.host(), e.port(), e.username(), loader.environment(e.passwordEnv()),
                    e.from(), e.to()));
        }
        if (a.webhook() != null) {
            channels.add(new WebhookChannel(a.webhook()));
        }
        return new AlertService(catalog, new AlertRules(a.staleAfter(), a.sizeChange(), a.minFreeDisk(),
                config.drill().rto()), channels, a.successSummary(), clock);
    }

    public RecordingRunner runner() {
        return new RecordingRunner(catalog, alerts(), clock);
    }

    public StatusService status() {
        RkConfig config = session.config();
        Map<String, Path> paths = new LinkedHashMap<>();
        for (SourceSpec s : config.sources()) {
            if (s instanceof FilesSourceSpec f) {
                paths.put(s.name(), f.path());
            }
        }
        String cron = config.schedule().backup();
        StatusSettings.NextRun next = cron == null ? null : moment -> {
            var n = CronExpression.parse(cron).next(moment.atZone(ZoneId.systemDefault()));
            return n == null ? null : n.toInstant();
        };
        StatusSettings settings = new StatusSettings(config.sources().stream().map(SourceSpec::name).toList(), paths,
                config.alerts().staleAfter(), next);
        List<RepositoryProbe> probes = new ArrayList<>();
        probes.add(new RepositoryProbe("primary", config.repository().url(), localPath(config.repository(), config),
                () -> session.repository().snapshots()));
        for (RepositoryConfig copy : config.copies()) {
            probes.add(new RepositoryProbe(copy.name(), copy.url(), localPath(copy, config), () -> {
                try (Storage storage = storages.open(copy, config.baseDir())) {
                    char[] password = session.passwords().password(storage.location());
                    try (Repository repository = Repository.open(storage, password)) {
                        return repository.snapshots();
                    } finally {
                        Arrays.fill(password, '\0');
                    }
                }
            }));
        }
        return new StatusService(catalog, alerts(), settings, probes, clock);
    }

    public ReportService reports() {
        return new ReportService(catalog, ZoneId.systemDefault());
    }

    public CatalogRebuild rebuild() {
        return new CatalogRebuild(catalog);
    }

    private static Path localPath(RepositoryConfig repository, RkConfig config) {
        try {
            return StorageFactory.localPath(repository, config.baseDir());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
