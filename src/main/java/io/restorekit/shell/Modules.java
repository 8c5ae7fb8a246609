package io.restorekit.shell;

import io.restorekit.common.BadInputException;
import io.restorekit.config.RkConfig;

/** Looks up {@code --module} in the configuration. */
final class Modules {
    private Modules() {
    }

    /** The module called {@code name}; {@link BadInputException} naming the configured ones otherwise. */
    static RkConfig.Module named(RkConfig config, String name) {
        RkConfig.Module m = config.modules().get(name);
        if (m == null) {
            throw new BadInputException("unknown module '" + name + "'; configured modules: "
                    + (config.modules().isEmpty() ? "none (add them under 'modules:' in " + config.file() + ")"
                    : String.join(", ", config.modules().keySet().stream().sorted().toList())));
        }
        return m;
    }
}
