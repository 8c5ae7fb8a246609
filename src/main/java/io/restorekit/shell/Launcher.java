package io.restorekit.shell;

import io.restorekit.config.EarlyOpen;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the Spring Shell application and turns its outcome into a process exit code. The global
 * {@code --debug} flag is taken out of the arguments here, before Spring sees them.
 */
public final class Launcher {
    private static volatile boolean debug = Boolean.getBoolean("rk.debug");
    private static volatile Throwable lastReported;

    private Launcher() {
    }

    /** Whether {@code --debug} was given: failures then show their stack trace. */
    public static boolean debug() {
        return debug;
    }

    /**
     * Called once the command is done, before the JVM exits. A run that also records the start-up
     * cache ({@code -Drk.aot.record=true}, shell/rk) has the JVM print "AOTConfiguration recorded:
     * FILE" on standard output as it exits, after the command's own output (a --json document):
     * closing System.out points descriptor 1 at /dev/null, where that line then goes.
     */
    public static void beforeExit() {
        if (Boolean.getBoolean("rk.aot.record")) {
            System.out.flush();
            System.out.close();
        }
    }

    public static int run(Class<?> application, String[] args) {
        List<String> rest = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--debug")) {
                debug = true;
                System.setProperty("rk.debug", "true");
            } else {
                rest.add(arg);
            }
        }
        try {
            EarlyOpen.start(rest.isEmpty() ? null : rest.get(0), System.getenv());
            if (!rest.isEmpty() && rest.get(0).equals("warm-up")) {
                DirectRun.warmUp();
                // The start-up archive of the commands that run without Spring stops here.
                if (rest.size() > 1 && rest.get(1).equals("--direct")) {
                    return 0;
                }
                rest = List.of("warm-up");
            } else if (!rest.isEmpty() && DirectRun.enabled(System.getenv())) {
                java.util.Optional<Integer> direct = DirectRun.run(rest);
                if (direct.isPresent()) {
                    return direct.get();
                }
            }
            SpringApplication app = new SpringApplication(application);
            app.setRegisterShutdownHook(false);
            ConfigurableApplicationContext context = app.run(rest.toArray(String[]::new));
            return SpringApplication.exit(context);
        } catch (Throwable t) {
            return alreadyReported(t) ? Failure.of(t).exitCode() : report(t, System.err);
        }
    }

    /** Prints {@code rk: <message>} (and the stack trace under {@code --debug}); returns the exit code. */
    public static int report(Throwable t, PrintStream err) {
        Failure failure = Failure.of(t);
        if (failure.message() != null) {
            err.println("rk: " + failure.message().strip());
        }
        if (debug && failure.message() != null) {
            t.printStackTrace(err);
        }
        err.flush();
        lastReported = t;
        return failure.exitCode();
    }

    /** The failure {@link #report} printed last, or null. */
    static Throwable lastReported() {
        return lastReported;
    }

    private static boolean alreadyReported(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c == lastReported) {
                return true;
            }
        }
        return false;
    }
}
