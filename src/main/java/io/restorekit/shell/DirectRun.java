package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.LazyCatalog;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.EarlyOpen;
import io.restorekit.config.Operations;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import org.springframework.shell.command.CommandContext;
import org.springframework.shell.command.CommandRegistration.OptionArity;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs one command of a one-command run without starting Spring: the commands cron and scripts
 * call most. The command's own {@code @Command}/{@code @Option} annotations are read, its object is
 * built with the services the Spring wiring would give it, and it passes through the same
 * {@link CommandGate} (roles, audit trail) and the same failure reporting as in the shell.
 *
 * <p>Only command lines whose meaning is certain are taken: known options in their plain form
 * ({@code --name value}, {@code --flag}, lists of values), positional values for text options, no
 * help. Anything else (an unknown or misspelt option, {@code --name=value}, a missing required
 * option, a value that looks like an option) is left to the Spring Shell path, which reports it
 * as it always has.
 */
final class DirectRun {
    /** The commands this path knows; each is found by its annotation among {@link #COMMAND_CLASSES}. */
    static final Set<String> COMMANDS = Set.of("version", "snapshots", "ls", "versions", "backup", "restore",
            "verify", "status");
    private static final List<Class<?>> COMMAND_CLASSES = List.of(VersionCommand.class, RepositoryCommands.class,
            BrowseCommands.class, BackupCommand.class, RestoreCommand.class, VerifyCommand.class, OpsCommands.class);
    /** Commands that record a run in the catalog: it is opened on another thread while the repository opens. */
    private static final Set<String> RECORDING = Set.of("backup", "verify", "restore", "status");

    /** A parsed command line: the method to call and its arguments. */
    record Invocation(Class<?> type, Method method, Object[] arguments) {
    }

    private DirectRun() {
    }

    /** Whether {@code RK_DIRECT} leaves this path on (it is unless set to {@code off}, {@code false} or {@code 0}). */
    static boolean enabled(Map<String, String> env) {
        String v = env.get("RK_DIRECT");
        return v == null || !(v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false") || v.equals("0"));
    }

    /**
     * Runs {@code args} when this path fully understands them; returns the exit code, or empty when the
     * Spring path must run them.
     */
    static Optional<Integer> run(List<String> args) {
        Invocation invocation = parse(args);
        if (invocation == null) {
            return Optional.empty();
        }
        Logs.configure();
        ConfigLoader loader = ConfigLoader.fromEnvironment();
        return run(invocation, args, loader,
                EarlyOpen.session(loader, new StorageFactory(), PasswordProvider.fromEnvironment()));
    }

    private static Optional<Integer> run(Invocation invocation, List<String> args, ConfigLoader loader,
                                         RepositorySession session) {
        LazyCatalog catalog = Operations.lazyCatalog(session, loader);
        // The audit entry goes to the spool: the catalog is not opened again once the work is done.
        catalog.deferAudits();
        try {
            EarlyConnect.start(args, session);
            Object command = construct(invocation.type(), session, loader, catalog);
            if (command == null) {
                return Optional.empty();
            }
            if (RECORDING.contains(args.get(0))) {
                openInBackground(catalog);
            }
            return Optional.of(execute(invocation, command, args, new CommandGate(session, catalog)));
        } finally {
            catalog.close();
            session.close();
        }
    }

    /**
     * Runs each command of this path once on a small tree and repository in a temporary folder (deleted
     * after), printing nothing: {@code shell/rk} records the classes this loads into its start-up archive.
     */
    static void warmUp() {
        Logs.configure();
        PrintStream out = System.out;
        Path dir = null;
        try {
            dir = Files.createTempDirectory("rk-warm-up");
            Path tree = Files.createDirectories(dir.resolve("tree/sub"));
            Files.writeString(tree.resolve("notes.txt"), "warm-up ".repeat(4096));
            byte[] noise = new byte[300_000];
            new java.util.Random(1).nextBytes(noise);
            Files.write(tree.resolve("data.bin"), noise);
            Path config = Files.writeString(dir.resolve("restorekit.yml"), "repository:\n  url: " + dir.resolve("repo")
                    + "\nsources:\n  - name: files\n    type: files\n    path: " + dir.resolve("tree") + "\n");
            Map<String, String> env = Map.of("RK_CONFIG", config.toString(), "RK_HOME", dir.resolve("home").toString(),
                    "RK_PASSWORD", "warm-up", "RK_NEW_PASSWORD", "warm-up");
            ConfigLoader loader = new ConfigLoader(env, dir);
            RepositorySession session = new RepositorySession(loader, new StorageFactory(),
                    new PasswordProvider(env, message -> null));
            session.init(io.restorekit.repository.RepositoryOptions.defaults());
            session.close();
            System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
            String target = dir.resolve("restored").toString();
            List<List<String>> commands = new ArrayList<>(List.of(List.of("version"), List.of("backup"),
                    List.of("backup", "--json"), List.of("snapshots"), List.of("snapshots", "--json")));
            for (List<String> args : commands) {
                run(parse(args), args, loader, session);
            }
            String id = session.repository().snapshots().get(0).shortId();
            session.close();
            for (List<String> args : List.of(List.of("ls", id), List.of("ls", "--snapshot", id, "--json"),
                    List.of("versions", "--source", "files", "--file", "sub/data.bin"),
                    List.of("restore", "--source", "files", "--file", "sub/notes.txt", "--target", target),
                    List.of("restore", "--source", "files", "--target", target, "--dry-run"),
                    List.of("verify"), List.of("status"))) {
                run(parse(args), args, loader, session);
            }
        } catch (IOException | RuntimeException e) {
            // a partial warm-up only makes the archive smaller
            if (Launcher.debug()) {
                e.printStackTrace();
            }
        } finally {
            System.setOut(out);
            if (dir != null) {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary folder left behind
                }
            }
        }
    }

    /** Calls the command between the gate's role check and its audit entry; prints the result or the failure. */
    private static int execute(Invocation invocation, Object command, List<String> args, CommandGate gate) {
        List<String> words = args.stream().filter(w -> !w.isBlank()).toList();
        try {
            gate.check(words);
        } catch (RuntimeException denied) {
            int code = Launcher.report(denied, System.err);
            warn(gate.audit(words, Failure.of(denied)));
            return code;
        }
        Failure failure = null;
        int code = 0;
        try {
            Object result = invocation.method().invoke(command, invocation.arguments());
            if (result != null) {
                Interaction.currentStdout().println(result);
            }
            System.out.flush();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            code = Launcher.report(cause, System.err);
            failure = Failure.of(cause);
        } catch (IllegalAccessException e) {
            code = Launcher.report(e, System.err);
            failure = Failure.of(e);
        }
        warn(gate.audit(words, failure));
        return code;
    }

    /** The invocation {@code args} ask for, or null when this path does not take them. */
    static Invocation parse(List<String> args) {
        if (args.isEmpty() || !COMMANDS.contains(args.get(0))) {
            return null;
        }
        Method method = find(args.get(0));
        if (method == null) {
            return null;
        }
        Parameter[] parameters = method.getParameters();
        Map<String, Integer> byName = new HashMap<>();
        List<Integer> positional = new ArrayList<>();
        for (int i = 0; i < parameters.length; i++) {
            Option option = parameters[i].getAnnotation(Option.class);
            if (option == null) {
                if (parameters[i].getType() != CommandContext.class) {
                    return null;
                }
                continue;
            }
            if (option.longNames().length == 0 || option.shortNames().length > 0 || kind(parameters[i]) == null) {
                return null;
            }
            for (String name : option.longNames()) {
                byName.put("--" + name, i);
            }
            positional.add(i);
        }
        Object[] values = new Object[parameters.length];
        Set<Integer> given = new HashSet<>();
        List<String> loose = new ArrayList<>();
        for (int a = 1; a < args.size(); a++) {
            String word = args.get(a);
            if (!word.startsWith("-")) {
                loose.add(word);
                continue;
            }
            Integer index = byName.get(word);
            if (index == null) {
                return null; // unknown, short, --name=value, --help: the Spring path says what it means
            }
            Kind kind = kind(parameters[index]);
            boolean list = kind == Kind.LIST;
            if (given.contains(index) && !list) {
                return null;
            }
            given.add(index);
            if (kind == Kind.FLAG) {
                String next = a + 1 < args.size() ? args.get(a + 1) : null;
                if (next != null && !next.startsWith("-")) {
                    if (!next.equals("true") && !next.equals("false")) {
                        return null;
                    }
                    values[index] = Boolean.parseBoolean(next);
                    a++;
                } else {
                    values[index] = true;
                }
                continue;
            }
            List<String> taken = new ArrayList<>();
            while (a + 1 < args.size() && !args.get(a + 1).startsWith("-") && (list || taken.isEmpty())) {
                taken.add(args.get(++a));
            }
            if (taken.isEmpty() || taken.stream().anyMatch(String::isEmpty)) {
                return null;
            }
            if (list) {
                @SuppressWarnings("unchecked")
                List<String> sofar = (List<String>) values[index];
                List<String> all = new ArrayList<>(sofar == null ? List.of() : sofar);
                all.addAll(taken);
                values[index] = all;
            } else {
                Object value = convert(kind, taken.get(0));
                if (value == null) {
                    return null;
                }
                values[index] = value;
            }
        }
        // Values without a name fill the text options not named, in the order the method declares them.
        for (String word : loose) {
            Integer target = positional.stream().filter(i -> !given.contains(i)).findFirst().orElse(null);
            if (target == null || kind(parameters[target]) != Kind.TEXT || word.isEmpty()) {
                return null;
            }
            given.add(target);
            values[target] = word;
        }
        for (int i = 0; i < parameters.length; i++) {
            Option option = parameters[i].getAnnotation(Option.class);
            if (option == null || given.contains(i)) {
                continue;
            }
            if (option.required()) {
                return null;
            }
            Kind kind = kind(parameters[i]);
            if (!option.defaultValue().isEmpty()) {
                if (kind == Kind.LIST) {
                    return null;
                }
                values[i] = convert(kind, option.defaultValue());
                if (values[i] == null) {
                    return null;
                }
            } else if (kind == Kind.FLAG) {
                values[i] = false;
            } else if (kind == Kind.NUMBER) {
                return null;
            }
        }
        return new Invocation(method.getDeclaringClass(), method, values);
    }

    private enum Kind { TEXT, FLAG, NUMBER, LIST }

    private static Kind kind(Parameter p) {
        Class<?> type = p.getType();
        if (type == String.class) {
            return Kind.TEXT;
        }
        if (type == boolean.class) {
            return Kind.FLAG;
        }
        if (type == int.class) {
            return Kind.NUMBER;
        }
        if (type == List.class && p.getParameterizedType() instanceof ParameterizedType t
                && t.getActualTypeArguments()[0] == String.class) {
            Option option = p.getAnnotation(Option.class);
            return option != null && option.arity() == OptionArity.ZERO_OR_MORE ? Kind.LIST : null;
        }
        return null;
    }

    private static Object convert(Kind kind, String text) {
        return switch (kind) {
            case TEXT -> text;
            case FLAG -> text.equals("true") || text.equals("false") ? Boolean.parseBoolean(text) : null;
            case NUMBER -> {
                try {
                    yield Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            case LIST -> null;
        };
    }

    /** The method annotated {@code @Command(command = name)} in a class without a command prefix of its own. */
    private static Method find(String name) {
        for (Class<?> type : COMMAND_CLASSES) {
            Command onClass = type.getAnnotation(Command.class);
            if (onClass == null || onClass.command().length > 0) {
                continue;
            }
            for (Method m : type.getMethods()) {
                Command c = m.getAnnotation(Command.class);
                if (c != null && c.command().length == 1 && c.command()[0].equals(name) && c.alias().length == 0) {
                    return m;
                }
            }
        }
        return null;
    }

    /**
     * The command object, built through the constructor Spring would use (the {@code @Autowired} one,
     * else the only one) from the services of this run; null when it needs something else.
     */
    private static Object construct(Class<?> type, RepositorySession session, ConfigLoader loader, Catalog catalog) {
        Constructor<?>[] constructors = type.getConstructors();
        Constructor<?> chosen = null;
        for (Constructor<?> c : constructors) {
            if (c.isAnnotationPresent(org.springframework.beans.factory.annotation.Autowired.class)) {
                chosen = c;
            }
        }
        if (chosen == null && constructors.length == 1) {
            chosen = constructors[0];
        }
        if (chosen == null) {
            return null;
        }
        Interaction interaction = new Interaction(Interaction.currentStdout(), System.err,
                Interaction.stdoutIsTerminal(), question -> Optional.empty());
        Map<Class<?>, Object> services = new HashMap<>();
        services.put(RepositorySession.class, session);
        services.put(ConfigLoader.class, loader);
        services.put(Catalog.class, catalog);
        services.put(Interaction.class, interaction);
        services.put(Operations.class, new Operations(session, new StorageFactory(), loader, catalog,
                Clock.systemUTC()));
        Object[] arguments = new Object[chosen.getParameterCount()];
        Class<?>[] types = chosen.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            arguments[i] = services.get(types[i]);
            if (arguments[i] == null) {
                return null;
            }
        }
        try {
            return chosen.newInstance(arguments);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Opens the catalog on a daemon thread; the command waits for it only when it records. */
    private static void openInBackground(LazyCatalog catalog) {
        Thread opener = new Thread(() -> {
            try {
                catalog.open();
            } catch (RuntimeException | LinkageError ignored) {
                // opened again, and reported, where the command records
            }
        }, "rk-catalog-open");
        opener.setDaemon(true);
        opener.start();
    }

    private static void warn(String warning) {
        if (warning != null) {
            System.err.println("rk: warning: " + warning);
            System.err.flush();
        }
    }
}
