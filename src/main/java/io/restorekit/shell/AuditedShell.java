package io.restorekit.shell;

import org.jline.terminal.Terminal;
import org.springframework.shell.Input;
import org.springframework.shell.ResultHandlerService;
import org.springframework.shell.Shell;
import org.springframework.shell.command.CommandCatalog;
import org.springframework.shell.config.ShellConversionServiceSupplier;
import org.springframework.shell.context.InteractionMode;
import org.springframework.shell.context.ShellContext;
import org.springframework.shell.exit.ExitCodeMappings;
import org.springframework.core.convert.ConversionService;

import java.util.List;

/**
 * The Spring Shell {@link Shell} with the {@link CommandGate} around every command, interactive or
 * not: commands need no code of their own for roles or the audit trail.
 */
public class AuditedShell extends Shell {
    private final ShellContext shellContext;
    private final CommandGate gate;

    public AuditedShell(ResultHandlerService resultHandlerService, CommandCatalog commandRegistry, Terminal terminal,
                        ShellConversionServiceSupplier conversionService, ShellContext shellContext,
                        ExitCodeMappings exitCodeMappings, CommandGate gate) {
        super(resultHandlerService, commandRegistry, terminal, shellContext, exitCodeMappings);
        setConversionService((ConversionService) conversionService.get());
        this.shellContext = shellContext;
        this.gate = gate;
    }

    @Override
    protected Object evaluate(Input input) {
        List<String> words = input.words().stream().filter(w -> !w.isBlank()).toList();
        if (words.isEmpty() || words.get(0).equals("warm-up")) {
            return super.evaluate(input);
        }
        try {
            gate.check(words);
        } catch (RuntimeException denied) {
            Launcher.report(denied, System.err);
            warn(gate.audit(words, Failure.of(denied)));
            if (shellContext.getInteractionMode() == InteractionMode.INTERACTIVE) {
                return NO_INPUT;
            }
            // Thrown, not returned: a returned exception would be printed again, with its stack trace, on stdout.
            throw denied;
        }
        Throwable before = Launcher.lastReported();
        Object result = super.evaluate(input);
        Failure failure = null;
        if (result instanceof Throwable t) {
            failure = Failure.of(t);
        } else if (Launcher.lastReported() != before && Launcher.lastReported() != null) {
            failure = Failure.of(Launcher.lastReported());
        }
        warn(gate.audit(words, failure));
        return result;
    }

    private static void warn(String warning) {
        if (warning != null) {
            System.err.println("rk: warning: " + warning);
            System.err.flush();
        }
    }
}
