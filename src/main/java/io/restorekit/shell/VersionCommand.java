package io.restorekit.shell;

import org.springframework.shell.command.annotation.Command;

/** {@code rk version}. */
@Command
public class VersionCommand {
    @Command(command = "version", description = "Show the restorekit and Java versions")
    public String version() {
        String version = VersionCommand.class.getPackage().getImplementationVersion();
        return "restorekit " + (version == null ? "development build" : version) + " (Java "
                + System.getProperty("java.version") + ")";
    }
}
