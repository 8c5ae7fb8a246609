package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.config.RepositorySession;
import io.restorekit.runbook.StepExecutor;
import org.jline.terminal.Terminal;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.CommandNotFound;
import org.springframework.shell.command.CommandCatalog;
import org.springframework.shell.command.CommandExecution;
import org.springframework.shell.config.ShellConversionServiceSupplier;
import org.springframework.shell.context.ShellContext;
import org.springframework.stereotype.Component;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a runbook step's {@code rk} command inside this process through Spring Shell's own
 * command machinery (the catalog's registrations, its parser, conversions and argument
 * resolvers), exactly as the shell runs a typed line. What the command prints on stdout and its
 * result are captured for the transcript (and shown too, unless quiet); failures become the exit
 * code and message of {@link Failure}, the same the one-command form would end with.
 */
@Component
public class ShellStepExecutor implements StepExecutor {
    private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);

    private final ObjectProvider<CommandCatalog> commands;
    private final ObjectProvider<CommandExecution.CommandExecutionHandlerMethodArgumentResolvers> resolvers;
    private final ObjectProvider<ShellConversionServiceSupplier> conversions;
    private final ObjectProvider<Terminal> terminal;
    private final ObjectProvider<ShellContext> shellContext;
    private final ObjectProvider<RepositorySession> session;
    private final ObjectProvider<CommandGate> gate;

    public ShellStepExecutor(ObjectProvider<CommandCatalog> commands,
                             ObjectProvider<CommandExecution.CommandExecutionHandlerMethodArgumentResolvers> resolvers,
                             ObjectProvider<ShellConversionServiceSupplier> conversions,
                             ObjectProvider<Terminal> terminal, ObjectProvider<ShellContext> shellContext,
                             ObjectProvider<RepositorySession> session, ObjectProvider<CommandGate> gate) {
        this.gate = gate;
        this.commands = commands;
        this.resolvers = resolvers;
        this.conversions = conversions;
        this.terminal = terminal;
        this.shellContext = shellContext;
        this.session = session;
    }

    /** Until closed, steps run on this thread print nothing themselves (their output is only captured). */
    public AutoCloseable quietly() {
        boolean previous = QUIET.get();
        QUIET.set(true);
        return () -> QUIET.set(previous);
    }

    /** The first word of every registered command ({@code restore}, {@code runbook}, ...). */
    public List<String> commandNames() {
        CommandCatalog catalog = commands.getIfAvailable();
        return catalog == null ? List.of() : catalog.getRegistrations().keySet().stream()
                .map(k -> k.split(" ")[0]).distinct().toList();
    }

    @Override
    public Outcome execute(List<String> words) {
        CommandCatalog catalog = commands.getObject();
        if (!isRegistered(catalog.getRegistrations(), words)) {
            Failure f = Failure.of(new CommandNotFound(words));
            return new Outcome(f.exitCode(), "", f.message());
        }
        // A runbook grants no rights: each step needs the role its command needs when typed.
        CommandGate roles = gate.getIfAvailable();
        if (roles != null) {
            try {
                roles.check(words);
            } catch (RuntimeException e) {
                Failure f = Failure.of(e);
                return new Outcome(f.exitCode(), "", f.message());
            }
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        OutputStream sink = QUIET.get() ? captured : new Tee(original, captured);
        PrintStream stepOut = new PrintStream(sink, true, StandardCharsets.UTF_8);
        System.setOut(stepOut);
        try {
            CommandExecution execution = CommandExecution.of(resolvers.getObject().getResolvers(), null,
                    terminal.getIfAvailable(), shellContext.getIfAvailable(), conversions.getObject().get(), catalog);
            Object result = execution.evaluate(words.toArray(String[]::new));
            if (result != null && !result.toString().isEmpty()) {
                stepOut.println(result);
            }
            stepOut.flush();
            return new Outcome(0, captured.toString(StandardCharsets.UTF_8), null);
        } catch (Throwable t) {
            Failure f = Failure.of(t);
            if (f.exitCode() != ErrorCode.BAD_INPUT.exitCode() && f.exitCode() != ErrorCode.PROBLEMS_FOUND.exitCode()) {
                // As after a failed typed command: the next step starts from what is stored.
                session.ifAvailable(RepositorySession::reset);
            }
            stepOut.flush();
            return new Outcome(f.exitCode(), captured.toString(StandardCharsets.UTF_8),
                    f.message() == null ? "exit code " + f.exitCode() : f.message().strip());
        } finally {
            System.setOut(original);
        }
    }

    /** Whether the words start with a registered command (the longest one wins, as in the shell). */
    private static boolean isRegistered(Map<String, ?> registrations, List<String> words) {
        List<String> prefix = new ArrayList<>();
        for (String w : words) {
            if (w.startsWith("-")) {
                break;
            }
            prefix.add(w);
            if (registrations.containsKey(String.join(" ", prefix))) {
                return true;
            }
        }
        return false;
    }

    /** Writes to the operator's stdout and to the capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
