package io.restorekit.shell;

import org.springframework.shell.command.CommandContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The values of an option that may be repeated ({@code --source a --source b}, also
 * {@code --source a b} and {@code --source=a}). Spring Shell binds only the last occurrence, so
 * the command's raw arguments are read again.
 */
final class Repeated {
    private Repeated() {
    }

    /** Every value given for {@code --name}; {@code bound} when there is no command context (direct calls). */
    static List<String> values(CommandContext context, String name, List<String> bound) {
        if (context == null || context.getRawArgs() == null) {
            return bound == null ? List.of() : bound;
        }
        String flag = "--" + name;
        List<String> values = new ArrayList<>();
        boolean inside = false;
        for (String arg : context.getRawArgs()) {
            if (arg.equals(flag)) {
                inside = true;
            } else if (arg.startsWith(flag + "=")) {
                values.add(arg.substring(flag.length() + 1));
                inside = false;
            } else if (arg.startsWith("-")) {
                inside = false;
            } else if (inside) {
                values.add(arg);
            }
        }
        return values.isEmpty() && bound != null ? bound : values;
    }
}
