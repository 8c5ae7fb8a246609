package io.restorekit.shell;

import java.io.Console;
import java.io.PrintStream;
import java.util.Optional;

/**
 * How commands reach the operator beyond their result: stdout for a report printed before a
 * failure, progress on stderr (only on a terminal), and yes/no questions (only in the
 * interactive shell; scripts and one-command runs are never asked).
 */
public final class Interaction {
    /** Asks a yes/no question; empty when nobody can be asked. */
    @FunctionalInterface
    public interface Asker {
        Optional<Boolean> ask(String question);
    }

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Asker asker;

    /** @param terminal whether stdout is a terminal (progress is drawn only then) */
    public Interaction(PrintStream out, PrintStream err, boolean terminal, Asker asker) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.asker = asker;
    }

    /** Nobody to ask, no progress: scripts and tests. */
    public static Interaction unattended(PrintStream out, PrintStream err) {
        return new Interaction(out, err, false, question -> Optional.empty());
    }

    /** Whether this process's stdout is a terminal (Java 22+ has a console even when redirected). */
    public static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22 a console exists only on a terminal
        }
    }

    /**
     * A stdout that writes wherever {@code System.out} points at the time of each write, so that a
     * runbook step's output can be captured for its transcript while the step runs.
     */
    public static PrintStream currentStdout() {
        return new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                System.out.write(b);
            }

            @Override
            public void write(byte[] bytes, int off, int len) {
                System.out.write(bytes, off, len);
            }

            @Override
            public void flush() {
                System.out.flush();
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
    }

    public PrintStream out() {
        return out;
    }

    /** Warnings and notes; never part of a {@code --json} document. */
    public PrintStream err() {
        return err;
    }

    /** Whether stdout is a terminal (colour and progress are drawn only then). */
    public boolean terminal() {
        return terminal;
    }

    /** Progress of one long operation on stderr; call {@code close()} when it ends. */
    public TerminalProgress progress(String label, String itemName) {
        return new TerminalProgress(err, terminal, label, itemName, System::nanoTime);
    }

    /** The operator's answer to a yes/no question; empty when nobody can be asked. */
    public Optional<Boolean> confirm(String question) {
        return asker.ask(question);
    }
}
