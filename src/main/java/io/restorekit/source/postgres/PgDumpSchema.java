package io.restorekit.source.postgres;

import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The schema as {@code pg_dump --schema-only} writes it (source setting {@code schema: pg_dump},
 * or {@code auto} when the built-in reader cannot recreate an object), taken in the backup's
 * exported snapshot so that it describes the same moment as the data.
 *
 * <p>pg_dump's plain output names every object in a comment ({@code -- Name: N; Type: T;
 * Schema: S; Owner: -}); each such entry becomes one {@link Ddl} of the restore phase its type
 * belongs to, in pg_dump's order, which already respects dependencies: schemas and extensions
 * first, every other pre-data object (types, functions, sequences, tables, defaults, views...) in
 * the tables phase before the data, then primary/unique/check and exclusion constraints and
 * indexes (built in parallel), foreign keys, triggers, rules and policies, and comments last.
 * Ownership and privileges are left out ({@code --no-owner --no-privileges}), as with the built-in
 * reader. Sequence values and materialized-view refreshes are state, not schema: they still come
 * from the built-in reader.
 *
 * <p>Only a pg_dump whose major version is at least the server's is used: older ones refuse newer
 * servers. {@code pg_dump} on the {@code PATH} and Debian's {@code /usr/lib/postgresql/N/bin} are
 * looked at, newest first.
 */
final class PgDumpSchema {
    private static final Pattern ENTRY = Pattern.compile("^-- Name: (.*); Type: (.*); Schema: (.*); Owner: .*$");
    private static final Pattern VERSION = Pattern.compile("pg_dump \\(PostgreSQL\\) (\\d+)(\\.\\d+)?");
    private static final Pattern ALTER_TABLE = Pattern.compile("ALTER TABLE (?:ONLY )?(\\S+)\\s", Pattern.CASE_INSENSITIVE);
    private static final Set<String> TRIGGER_PHASE = Set.of("TRIGGER", "EVENT TRIGGER", "RULE", "POLICY",
            "ROW SECURITY", "STATISTICS", "PUBLICATION TABLE", "PUBLICATION TABLES IN SCHEMA");

    /** A pg_dump program and its major version. */
    record Tool(Path program, int major, String version) {
    }

    private PgDumpSchema() {
    }

    /** The newest pg_dump that can dump a server of major version {@code serverMajor}; null when none. */
    static Tool find(int serverMajor) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "pg_dump"));
                }
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.forEach(v -> candidates.add(v.resolve("bin/pg_dump")));
            } catch (IOException ignored) {
                // no Debian layout to look at
            }
        }
        return candidates.stream().filter(Files::isExecutable).distinct().map(PgDumpSchema::probe)
                .filter(t -> t != null && t.major() >= serverMajor)
                .max(Comparator.comparingInt(Tool::major)).orElse(null);
    }

    private static Tool probe(Path program) {
        try {
            Process p = new ProcessBuilder(program.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            Matcher m = VERSION.matcher(out);
            return m.find() ? new Tool(program, Integer.parseInt(m.group(1)), out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Starts {@code pg_dump --schema-only} in {@code snapshot}, which must stay exported until the
     * result is taken. The future fails with an {@link IOException} saying why when pg_dump does.
     */
    static CompletableFuture<List<Ddl>> start(Tool tool, PgConnect connect, String snapshot) {
        Map<String, String> env = connect.libpqEnvironment();
        if (env == null) {
            return CompletableFuture.failedFuture(new IOException("the URL names several hosts, which pg_dump"
                    + " is not given"));
        }
        CompletableFuture<List<Ddl>> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(run(tool, env, snapshot));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } catch (InterruptedException e) {
                result.completeExceptionally(new IOException("interrupted", e));
            }
        }, "pg-dump-schema");
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** The entries of {@code future}, or the reason pg_dump failed. */
    static List<Ddl> await(CompletableFuture<List<Ddl>> future) throws IOException {
        try {
            return future.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw new IOException("pg_dump took more than 10 minutes", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static List<Ddl> run(Tool tool, Map<String, String> env, String snapshot)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("rk-schema-", ".sql");
        try {
            ProcessBuilder pb = new ProcessBuilder(tool.program().toString(), "--schema-only", "--no-owner",
                    "--no-privileges", "--snapshot=" + snapshot, "--file=" + out)
                    .redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            pb.environment().putAll(env);
            pb.environment().put("PGAPPNAME", "restorekit");
            pb.environment().put("PGCONNECT_TIMEOUT", "10");
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("pg_dump took more than 10 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException(tool.program() + " exited with " + p.exitValue()
                        + (log.isEmpty() ? "" : ": " + log.lines().limit(5).reduce((a, b) -> a + "; " + b).orElse("")));
            }
            return split(Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** pg_dump's plain schema script as restore-phase entries, in its order; session settings are dropped. */
    static List<Ddl> split(String script) {
        List<Ddl> out = new ArrayList<>();
        String type = null;
        String object = null;
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            Matcher m = ENTRY.matcher(line);
            if (m.matches()) {
                add(out, type, object, sql);
                type = m.group(2);
                object = objectName(m.group(1), type, m.group(3));
                sql.setLength(0);
            } else if (type != null && !line.startsWith("--") && !line.startsWith("\\")
                    && !(line.startsWith("SET ") && sql.isEmpty())) {
                sql.append(line).append('\n');
            }
        }
        add(out, type, object, sql);
        return out;
    }

    private static void add(List<Ddl> out, String type, String object, StringBuilder sql) {
        String text = sql.toString().strip();
        if (type == null || text.isEmpty()) {
            return;
        }
        Phase phase = phaseOf(type);
        String name = object;
        if (type.equals("CONSTRAINT") || type.equals("CHECK CONSTRAINT") || type.equals("FK CONSTRAINT")) {
            Matcher m = ALTER_TABLE.matcher(text);
            name = m.find() ? object + " on " + unquoted(m.group(1)) : object;
        }
        out.add(new Ddl(phase, name, text));
    }

    static Phase phaseOf(String type) {
        return switch (type) {
            case "SCHEMA" -> Phase.SCHEMAS;
            case "EXTENSION" -> Phase.EXTENSIONS;
            case "CONSTRAINT", "CHECK CONSTRAINT" -> Phase.CONSTRAINTS;
            case "INDEX" -> Phase.INDEXES;
            case "FK CONSTRAINT", "INDEX ATTACH" -> Phase.FOREIGN_KEYS;
            case "COMMENT" -> Phase.COMMENTS;
            default -> TRIGGER_PHASE.contains(type) ? Phase.TRIGGERS : Phase.TABLES;
        };
    }

    /**
     * Names in the built-in reader's style, which scoped restores and drills match on: {@code table s.t},
     * {@code constraint c} (completed with {@code on s.t}), {@code index s.i}, {@code trigger t on s.t}.
     */
    private static String objectName(String name, String type, String schema) {
        String qualified = schema.equals("-") ? name : schema + "." + name;
        return switch (type) {
            case "SCHEMA" -> "schema " + name;
            case "COMMENT" -> "comment on " + (schema.equals("-") ? name : name + " in " + schema);
            case "TABLE", "DEFAULT" -> "table " + (type.equals("DEFAULT") ? schema + "." + name.split(" ")[0] : qualified);
            case "CONSTRAINT", "CHECK CONSTRAINT", "FK CONSTRAINT" -> "constraint "
                    + (name.contains(" ") ? name.substring(name.indexOf(' ') + 1) : name);
            case "TRIGGER" -> name.contains(" ") ? "trigger " + name.substring(name.indexOf(' ') + 1) + " on " + schema
                    + "." + name.substring(0, name.indexOf(' ')) : "trigger " + qualified;
            default -> type.toLowerCase(java.util.Locale.ROOT) + " " + qualified;
        };
    }

    /** {@code "Mixed".name} → {@code Mixed.name}: identifiers as the built-in reader writes them in names. */
    private static String unquoted(String qualified) {
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < qualified.length(); i++) {
            char ch = qualified.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < qualified.length() && qualified.charAt(i + 1) == '"') {
                    sb.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
