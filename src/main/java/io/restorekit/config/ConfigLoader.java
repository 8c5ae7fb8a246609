package io.restorekit.config;

import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.mysql.MySqlSourceSpec;
import io.restorekit.source.postgres.PostgresSourceSpec;
import org.springframework.scheduling.support.CronExpression;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads restorekit.yml ({@code RK_CONFIG}, default {@code ./restorekit.yml}) into an {@link RkConfig}.
 * {@code ${RK_HOME}} and {@code ${NAME}} of environment variables are expanded in string values;
 * {@code ~/} starts a path in the user's home. Every problem is an {@link InvalidConfigException}
 * naming the file, the key path and what was expected.
 */
public final class ConfigLoader {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern RUNBOOK_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern SOURCE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d)");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");
    private static final Pattern EXPECT = Pattern.compile("(=|==|!=|<>|<|<=|>|>=)\\s*-?\\d+(\\.\\d+)?"
            + "|(?i)between\\s+-?\\d+(\\.\\d+)?\\s+and\\s+-?\\d+(\\.\\d+)?");
    private static final String[] TOP = {"repository", "copies", "sources", "modules", "retention", "drill",
            "schedule", "alerts", "catalog", "runbooks", "roles", "metrics"};
    private static final String[] REPOSITORY = {"url", "s3", "sftp"};
    private static final String[] COPY = {"name", "url", "s3", "sftp"};
    private static final String[] FILES = {"name", "type", "path", "exclude", "tenant-path"};
    private static final String[] DATABASE = {"name", "type", "url", "username", "password-env", "tenant-column",
            "tenant-table", "include-tables", "exclude-tables", "jobs", "schema", "analyze", "binlog", "full-read-every"};

    private final Map<String, String> env;
    private final Path userHome;

    public ConfigLoader(Map<String, String> env, Path userHome) {
        this.env = Map.copyOf(env);
        this.userHome = userHome;
    }

    /** A loader over this process's environment. */
    public static ConfigLoader fromEnvironment() {
        return new ConfigLoader(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** The value of environment variable {@code name} as this loader sees it, or null. */
    public String environment(String name) {
        return name == null ? null : env.get(name);
    }

    /** {@code RK_CONFIG}, or {@code restorekit.yml} in the working directory. */
    public Path configFile() {
        String configured = env.get("RK_CONFIG");
        return Path.of(configured == null || configured.isBlank() ? "restorekit.yml" : configured);
    }

    /** {@code RK_HOME}, or {@code ~/.restorekit}. */
    public Path home() {
        String configured = env.get("RK_HOME");
        if (configured == null || configured.isBlank()) {
            return userHome.resolve(".restorekit");
        }
        return expandHome(configured).toAbsolutePath().normalize();
    }

    public RkConfig load() {
        return load(configFile());
    }

    public RkConfig load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException("configuration file '" + file.toAbsolutePath().normalize()
                    + "' not found; create it with at least 'repository: {url: /path/to/backups}' and a list of"
                    + " 'sources' (see DESIGN.md §4), or set RK_CONFIG to its path");
        } catch (IOException e) {
            throw new InvalidConfigException(name + ": cannot be read: " + e.getMessage());
        }
        Object root = new YamlTreeCache(home().resolve("cache").resolve("config")).tree(file, text,
                t -> readYaml(name, t));
        return bind(name, root, file.toAbsolutePath().normalize().getParent());
    }

    /** Binds YAML text; {@code name} is how errors name the file, {@code baseDir} anchors relative paths. */
    public RkConfig parse(String name, String text, Path baseDir) {
        return bind(name, readYaml(name, text), baseDir);
    }

    private RkConfig bind(String name, Object root, Path baseDir) {
        if (root == null) {
            throw new InvalidConfigException(name + ": the file is empty; expected at least 'repository: {url: ...}'");
        }
        Path home = home();
        YamlNode top = new YamlNode(name, "", root, s -> expand(name, s, home));
        YamlNode.Fields f = top.fields("the restorekit configuration", TOP);

        RepositoryConfig repository = repository(f.required("repository", "where backups are stored"), "primary",
                REPOSITORY);
        List<RepositoryConfig> copies = copies(f.get("copies"));
        List<SourceSpec> sources = sources(f.get("sources"), baseDir);
        Map<String, RkConfig.Module> modules = modules(f.get("modules"));
        return new RkConfig(baseDir.resolve(Path.of(name).getFileName()), home, repository, copies, sources, modules,
                retention(f.get("retention"), sources), drill(f.get("drill")), schedule(f.get("schedule")),
                alerts(f.get("alerts")), catalog(f.get("catalog"), home),
                runbooks(f.get("runbooks"), home, baseDir),
                roles(f.get("roles")), metrics(f.get("metrics")));
    }

    private RkConfig.Catalog catalog(YamlNode node, Path home) {
        if (node.isMissing()) {
            return new RkConfig.Catalog(defaultCatalog(home));
        }
        YamlNode.Fields f = node.fields("the catalog settings", "url", "username", "password-env");
        String url = f.string("url", "a JDBC URL", defaultCatalog(home));
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw f.get("url").error("expected a jdbc:h2: or jdbc:postgresql: URL, got '" + url + "'");
        }
        return new RkConfig.Catalog(url, str(f, "username", "a database user name", false),
                str(f, "password-env", "an environment variable name", false));
    }

    private static RkConfig.Roles roles(YamlNode node) {
        if (node.isMissing()) {
            return RkConfig.Roles.NONE;
        }
        YamlNode.Fields f = node.fields("roles (master, operator: lists of users and group:NAME)", "master",
                "operator");
        List<String> master = f.strings("master", "user names or group:NAME");
        List<String> operator = f.strings("operator", "user names or group:NAME");
        for (String key : List.of("master", "operator")) {
            for (String who : key.equals("master") ? master : operator) {
                if (who.equals("group:") || who.contains(" ")) {
                    throw f.get(key).error("expected a user name or group:NAME, got '" + who + "'");
                }
            }
        }
        return new RkConfig.Roles(master, operator);
    }

    private static RkConfig.Metrics metrics(YamlNode node) {
        if (node.isMissing()) {
            return RkConfig.Metrics.OFF;
        }
        YamlNode.Fields f = node.fields("metrics settings", "port", "bind");
        int port = f.required("port", "a TCP port").integer("a TCP port (1-65535)", 1);
        if (port > 65535) {
            throw f.get("port").error("expected a TCP port (1-65535), got " + port);
        }
        return new RkConfig.Metrics(port, f.string("bind", "an IP address to listen on", "127.0.0.1"));

    }

    private RkConfig.Runbooks runbooks(YamlNode node, Path home, Path baseDir) {
        String fallback = home.resolve("runbooks").toString();
        if (node.isMissing()) {
            return new RkConfig.Runbooks(fallback);
        }
        YamlNode.Fields f = node.fields("the runbook settings", "repository", "identity-file", "known-hosts",
                "password-env");
        String repository = f.string("repository", "a folder or Git URL", fallback);
        if (!repository.matches("[A-Za-z][A-Za-z0-9+.-]*://.*") && !repository.matches("[^/:\\s]+@[^/:\\s]+:.+")) {
            repository = resolve(baseDir, repository).toAbsolutePath().toString();
        } else if (!repository.matches("(ssh|https?|file|git)://.*") && repository.contains("://")) {
            throw f.get("repository").error("expected a folder, or an ssh://, https:// or file:// Git URL, got '"
                    + repository + "'");
        }
        return new RkConfig.Runbooks(repository, pathString(f, "identity-file", "a private key file"),
                pathString(f, "known-hosts", "a known_hosts file"),
                str(f, "password-env", "an environment variable name", false));
    }

    static String defaultCatalog(Path home) {
        return "jdbc:h2:file:" + home.resolve("catalog");
    }

    private static Object readYaml(String name, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            String problem = e.getProblem() == null ? "not valid YAML" : e.getProblem();
            throw new InvalidConfigException(name + ": " + where + problem.strip());
        } catch (YAMLException e) {
            throw new InvalidConfigException(name + ": not valid YAML: " + e.getMessage());
        }
    }

    private String expand(String file, String text, Path home) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            String value = variable.equals("RK_HOME") ? home.toString() : env.get(variable);
            if (value == null) {
                throw new YamlNode.UnsetVariable(variable);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private RepositoryConfig repository(YamlNode node, String name, String[] keys) {
        YamlNode.Fields f = node.fields("the repository settings", keys);
        String url = str(f, "url", "a local path, s3://bucket/prefix or sftp://user@host/path", true);
        RepositoryConfig.S3 s3 = null;
        if (f.has("s3")) {
            YamlNode.Fields s = f.get("s3").fields("S3 settings", "endpoint", "region", "path-style", "access-key-env",
                    "secret-key-env", "storage-class", "object-lock");
            String endpoint = str(s, "endpoint", "an http(s) URL", false);
            if (endpoint != null) {
                uri(s.get("endpoint"), endpoint, "an http(s) URL");
            }
            s3 = new RepositoryConfig.S3(endpoint, str(s, "region", "an AWS region name", false),
                    s.bool("path-style", "whether to use path-style requests", false),
                    str(s, "access-key-env", "an environment variable name", false),
                    str(s, "secret-key-env", "an environment variable name", false),
                    str(s, "storage-class", "an S3 storage class such as STANDARD_IA", false),
                    objectLock(s));
        }
        RepositoryConfig.Sftp sftp = null;
        if (f.has("sftp")) {
            YamlNode.Fields s = f.get("sftp").fields("SFTP settings", "identity-file", "known-hosts", "password-env");
            sftp = new RepositoryConfig.Sftp(pathString(s, "identity-file", "a private key file"),
                    pathString(s, "known-hosts", "a known_hosts file"),
                    str(s, "password-env", "an environment variable name", false));
        }
        return new RepositoryConfig(name, url, s3, sftp);
    }

    private RepositoryConfig.ObjectLock objectLock(YamlNode.Fields s3) {
        if (!s3.has("object-lock")) {
            return null;
        }
        YamlNode.Fields lock = s3.get("object-lock").fields("Object Lock retention (mode, days)", "mode", "days");
        YamlNode mode = lock.required("mode", "COMPLIANCE or GOVERNANCE");
        String value = mode.string("COMPLIANCE or GOVERNANCE");
        if (!value.equals("COMPLIANCE") && !value.equals("GOVERNANCE")) {
            throw mode.error("expected COMPLIANCE or GOVERNANCE, got '" + value + "'");
        }
        return new RepositoryConfig.ObjectLock(value, lock.required("days", "a number of days").integer("a number of days", 1));
    }

    private List<RepositoryConfig> copies(YamlNode node) {
        if (node.isMissing()) {
            return List.of();
        }
        List<RepositoryConfig> copies = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (YamlNode item : node.list("a list of copies")) {
            YamlNode.Fields f = item.fields("a copy (name, url)", COPY);
            String name = checkName(f, seen, "copy");
            copies.add(repository(item, name, COPY));
        }
        return copies;
    }

    private List<SourceSpec> sources(YamlNode node, Path baseDir) {
        if (node.isMissing()) {
            return List.of();
        }
        List<SourceSpec> sources = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (YamlNode item : node.list("a list of sources")) {
            String type = item.peek("type");
            if (type == null) {
                type = item.fields("a source (name, type, ...)", union(FILES, DATABASE))
                        .requiredString("type", "postgres, mysql or files");
            }
            switch (type) {
                case "files" -> {
                    YamlNode.Fields f = item.fields("a files source", FILES);
                    String name = checkName(f, seen, "source");
                    YamlNode pathNode = f.required("path", "a directory path");
                    Path path = resolve(baseDir, pathNode.string("a directory path"));
                    List<String> exclude = f.strings("exclude", "glob patterns");
                    String tenantPath = str(f, "tenant-path", "a path template with {tenant}", false);
                    if (tenantPath != null && !tenantPath.contains("{tenant}")) {
                        throw f.get("tenant-path").error("expected a path template containing {tenant}, got '"
                                + tenantPath + "'");
                    }
                    sources.add(new FilesSourceSpec(name, path, exclude, tenantPath));
                }
                case "postgres", "mysql" -> {
                    YamlNode.Fields f = item.fields("a " + type + " source", DATABASE);
                    String name = checkName(f, seen, "source");
                    String url = str(f, "url", "a JDBC URL", true);
                    String prefix = type.equals("postgres") ? "jdbc:postgresql:" : "jdbc:";
                    if (!url.startsWith(prefix) || (type.equals("mysql")
                            && !(url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")))) {
                        throw f.get("url").error("expected a " + (type.equals("postgres")
                                ? "jdbc:postgresql:// URL" : "jdbc:mysql:// or jdbc:mariadb:// URL") + ", got '" + url + "'");
                    }
                    String tenantColumn = str(f, "tenant-column", "a column name", false);
                    if (type.equals("postgres")) {
                        String passwordEnv = str(f, "password-env", "an environment variable name", false);
                        String schema = str(f, "schema", "auto, builtin or pg_dump", false);
                        if (schema != null && !List.of("auto", "builtin", "pg_dump").contains(schema)) {
                            throw f.get("schema").error("expected auto, builtin or pg_dump, got '" + schema + "'");
                        }
                        for (String key : new String[]{"binlog", "full-read-every"}) {
                            if (f.has(key)) {
                                throw f.get(key).error("'" + key + "' applies to mysql sources only");
                            }
                        }
                        sources.add(new PostgresSourceSpec(name, url, str(f, "username", "a database user name", false),
                                passwordEnv, passwordEnv == null ? null : env.get(passwordEnv), tenantColumn,
                                f.strings("include-tables", "table names"), f.strings("exclude-tables", "table names"),
                                f.integer("jobs", "a number of parallel connections", 1, 2), schema,
                                str(f, "tenant-table", "a table name", false)).withDeltaCache(home().resolve("cache"))
                                .withAnalyze(f.bool("analyze", "true or false", false)));
                        continue;
                    }
                    if (f.has("schema")) {
                        throw f.get("schema").error("'schema' applies to postgres sources only");
                    }
                    if (f.has("analyze")) {
                        throw f.get("analyze").error("'analyze' applies to postgres sources only");
                    }
                    String passwordEnv = str(f, "password-env", "an environment variable name", false);
                    sources.add(new MySqlSourceSpec(name, url, str(f, "username", "a database user name", false),
                            passwordEnv, passwordEnv == null ? null : env.get(passwordEnv), tenantColumn,
                            f.strings("include-tables", "table names"), f.strings("exclude-tables", "table names"),
                            f.integer("jobs", "a number of parallel connections", 1, 1),
                            str(f, "tenant-table", "a table name", false))
                            .withBinlog(binlog(f), f.has("full-read-every") ? duration(f.get("full-read-every"))
                                    : MySqlSourceSpec.FULL_READ_EVERY));
                }
                default -> throw item.child("type", type)
                        .error("expected postgres, mysql or files, got '" + type + "'");
            }
        }
        return sources;
    }

    private Map<String, RkConfig.Module> modules(YamlNode node) {
        if (node.isMissing()) {
            return Map.of();
        }
        Map<String, RkConfig.Module> modules = new LinkedHashMap<>();
        node.namedEntries("modules by name").forEach((name, n) -> {
            YamlNode.Fields f = n.fields("a module (tables, paths)", "tables", "paths");
            RkConfig.Module module = new RkConfig.Module(name, f.strings("tables", "table names"),
                    f.strings("paths", "path globs"));
            if (module.tables().isEmpty() && module.paths().isEmpty()) {
                throw n.error("a module needs 'tables', 'paths' or both");
            }
            modules.put(name, module);
        });
        return modules;
    }

    private static final String[] RULES = {"keep-last", "hourly", "daily", "weekly", "monthly", "yearly",
            "keep-within", "keep-tag"};

    private static RkConfig.Retention retention(YamlNode node, List<SourceSpec> sources) {
        if (node.isMissing()) {
            return RkConfig.Retention.KEEP_ALL;
        }
        YamlNode.Fields f = node.fields("retention rules", union(RULES, new String[] {"sources", "tags",
                "legal-minimum", "repack-threshold", "prune-grace", "append-only"}));
        java.util.Set<String> names = sources.stream().map(SourceSpec::name).collect(java.util.stream.Collectors.toSet());
        Map<String, RkConfig.Retention.Rules> bySource = new LinkedHashMap<>();
        if (f.has("sources")) {
            f.get("sources").namedEntries("retention overrides by source").forEach((name, n) -> {
                if (!names.contains(name)) {
                    throw n.error("unknown source '" + name + "'; configured sources: "
                            + (names.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(names))));
                }
                bySource.put(name, rules(n));
            });
        }
        Map<String, RkConfig.Retention.Rules> byTag = new LinkedHashMap<>();
        if (f.has("tags")) {
            f.get("tags").namedEntries("retention overrides by tag").forEach((tag, n) -> byTag.put(tag, rules(n)));
        }
        Map<String, String> legal = new LinkedHashMap<>();
        if (f.has("legal-minimum")) {
            f.get("legal-minimum").namedEntries("legal minimum ages by source").forEach((name, n) -> {
                if (!names.contains(name)) {
                    throw n.error("unknown source '" + name + "'; configured sources: "
                            + (names.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(names))));
                }
                legal.put(name, age(n));
            });
        }
        return new RkConfig.Retention(f.integer("keep-last", "a number of snapshots", 0, 0),
                f.integer("daily", "a number of days", 0, 0), f.integer("weekly", "a number of weeks", 0, 0),
                f.integer("monthly", "a number of months", 0, 0), f.integer("yearly", "a number of years", 0, 0),
                f.integer("hourly", "a number of hours", 0, 0),
                f.has("keep-within") ? age(f.get("keep-within")) : null, f.strings("keep-tag", "tags"),
                bySource, byTag, legal,
                f.has("repack-threshold") ? percent(f.get("repack-threshold"))
                        : RkConfig.Retention.DEFAULT_REPACK_THRESHOLD,
                f.has("prune-grace") ? duration(f.get("prune-grace")) : RkConfig.Retention.DEFAULT_PRUNE_GRACE,
                f.bool("append-only", "true or false", false));
    }

    private static RkConfig.Retention.Rules rules(YamlNode node) {
        YamlNode.Fields r = node.fields("retention rules", RULES);
        return new RkConfig.Retention.Rules(optional(r, "keep-last"), optional(r, "hourly"), optional(r, "daily"),
                optional(r, "weekly"), optional(r, "monthly"), optional(r, "yearly"),
                r.has("keep-within") ? age(r.get("keep-within")) : null,
                r.has("keep-tag") ? r.strings("keep-tag", "tags") : null);
    }

    private static Integer optional(YamlNode.Fields f, String key) {
        return f.has(key) ? f.get(key).integer("a number", 0) : null;
    }

    private static String age(YamlNode node) {
        String text = node.string("an age such as 30d or 5y").strip();
        try {
            io.restorekit.retention.Age.parse(text);
        } catch (RuntimeException e) {
            throw node.error("expected an age such as 30d, 12h, 8w, 6m (months) or 5y, got '" + text + "'");
        }
        return text;
    }

    private RkConfig.Drill drill(YamlNode node) {
        if (node.isMissing()) {
            return new RkConfig.Drill("embedded", null, List.of());
        }
        YamlNode.Fields f = node.fields("drill settings", "target", "rto", "checks", "sample-files", "live-files",
                "runbook");
        String target = f.string("target", "embedded or a JDBC URL", "embedded");
        if (!target.equals("embedded") && !target.startsWith("jdbc:")) {
            throw f.get("target").error("expected embedded or a JDBC URL, got '" + target + "'");
        }
        List<RkConfig.Drill.Check> checks = new ArrayList<>();
        if (f.has("checks")) {
            for (YamlNode c : f.get("checks").list("a list of checks")) {
                YamlNode.Fields cf = c.fields("a check (name, sql, expect)", "name", "sql", "expect");
                String expect = cf.requiredString("expect", "a comparison such as '= 0'").strip();
                if (!EXPECT.matcher(expect).matches()) {
                    throw cf.get("expect").error("expected a comparison and a number such as '= 0', '> 10' or"
                            + " 'between 1 and 5', got '" + expect + "'");
                }
                checks.add(new RkConfig.Drill.Check(cf.requiredString("name", "a description"),
                        cf.requiredString("sql", "a query returning one number"), expect));
            }
        }
        String runbook = str(f, "runbook", "a runbook name", false);
        if (runbook != null && !RUNBOOK_NAME.matcher(runbook).matches()) {
            throw f.get("runbook").error("expected the name of a runbook (lower-case letters, digits, '.', '_', '-'"
                    + " as listed by 'rk runbook list', without .rk), got '" + runbook + "'");
        }
        return new RkConfig.Drill(target, f.has("rto") ? duration(f.get("rto")) : null, checks,
                f.integer("sample-files", "a number of files (0: all)", 0, 0),
                f.integer("live-files", "a number of files", 0, RkConfig.Drill.LIVE_FILES), runbook);
    }

    private static RkConfig.Schedule schedule(YamlNode node) {
        if (node.isMissing()) {
            return new RkConfig.Schedule(null, null, null, null, null, null);
        }
        YamlNode.Fields f = node.fields("schedules", "backup", "verify", "drill", "forget", "prune", "copy");
        return new RkConfig.Schedule(cron(f, "backup"), cron(f, "verify"), cron(f, "drill"), cron(f, "forget"),
                cron(f, "prune"), cron(f, "copy"));
    }

    private static String cron(YamlNode.Fields f, String key) {
        if (!f.has(key)) {
            return null;
        }
        String cron = f.get(key).string("a cron expression");
        if (!CronExpression.isValidExpression(cron)) {
            throw f.get(key).error("expected a cron expression with seconds first such as '0 0 3 * * *', got '"
                    + cron + "'");
        }
        return cron;
    }

    private RkConfig.Alerts alerts(YamlNode node) {
        if (node.isMissing()) {
            return RkConfig.Alerts.NONE;
        }
        YamlNode.Fields f = node.fields("alert settings", "email", "webhook", "stale-after", "size-change",
                "min-free-disk", "success-summary");
        RkConfig.Alerts.Email email = null;
        if (f.has("email")) {
            YamlNode.Fields e = f.get("email").fields("SMTP settings", "host", "port", "username", "password-env",
                    "from", "to");
            List<String> to = e.required("to", "recipient addresses").strings("recipient addresses");
            email = new RkConfig.Alerts.Email(e.requiredString("host", "an SMTP host name"),
                    e.integer("port", "a TCP port", 1, 587), str(e, "username", "an SMTP user name", false),
                    str(e, "password-env", "an environment variable name", false),
                    e.requiredString("from", "a sender address"), to);
        }
        URI webhook = null;
        if (f.has("webhook")) {
            webhook = uri(f.get("webhook"), f.get("webhook").string("an http(s) URL"), "an http(s) URL");
        }
        return new RkConfig.Alerts(email, webhook, f.has("stale-after") ? duration(f.get("stale-after")) : null,
                f.has("size-change") ? percent(f.get("size-change")) : null,
                f.has("min-free-disk") ? percent(f.get("min-free-disk")) : null,
                f.bool("success-summary", "whether to send a summary after each successful backup", false));
    }

    private static String checkName(YamlNode.Fields f, Map<String, String> seen, String what) {
        YamlNode node = f.required("name", "a unique " + what + " name");
        String name = node.string("a " + what + " name");
        if (!SOURCE_NAME.matcher(name).matches()) {
            throw node.error("expected a " + what + " name of letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        String previous = seen.putIfAbsent(name, node.path());
        if (previous != null) {
            throw node.error("duplicate " + what + " name '" + name + "' (also " + previous + ")");
        }
        return name;
    }

    private static String str(YamlNode.Fields f, String key, String what, boolean required) {
        return required ? f.requiredString(key, what) : f.string(key, what);
    }

    private String pathString(YamlNode.Fields f, String key, String what) {
        String value = str(f, key, what, false);
        return value == null ? null : expandHome(value).toString();
    }

    private Path resolve(Path baseDir, String path) {
        return baseDir.resolve(expandHome(path)).normalize();
    }

    private Path expandHome(String path) {
        if (path.equals("~")) {
            return userHome;
        }
        return path.startsWith("~/") ? userHome.resolve(path.substring(2)) : Path.of(path);
    }

    /** A mysql source's {@code binlog}: auto (the default) or off (YAML may read it as false). */
    private static boolean binlog(YamlNode.Fields f) {
        if (!f.has("binlog")) {
            return true;
        }
        String value = f.get("binlog").string("auto or off").strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto", "true" -> true;
            case "off", "false" -> false;
            default -> throw f.get("binlog").error("expected auto or off, got '" + value + "'");
        };
    }

    private static Duration duration(YamlNode node) {
        String text = node.string("a duration such as 4h").strip().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw node.error("expected a duration such as 90s, 30m, 4h or 7d, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static double percent(YamlNode node) {
        String text = node.string("a percentage such as 30%").strip();
        Matcher m = PERCENT.matcher(text);
        if (!m.matches() || Double.parseDouble(m.group(1)) > 100) {
            throw node.error("expected a percentage between 0% and 100% such as 30%, got '" + text + "'");
        }
        return Double.parseDouble(m.group(1));
    }

    private static URI uri(YamlNode node, String text, String what) {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw node.error("expected " + what + ", got '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw node.error("expected " + what + ", got '" + text + "'");
        }
    }

    private static String[] union(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).distinct()
                .toArray(String[]::new);
    }
}
