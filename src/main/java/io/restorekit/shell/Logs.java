package io.restorekit.shell;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * Logging of a run without Spring, set as {@code application.properties} sets it for the Spring
 * path: warnings and errors only, one {@code rk: LEVEL logger: message} line each, on stdout.
 */
final class Logs {
    private Logs() {
    }

    static void configure() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("rk: %level %logger{0}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        context.getLogger("org.jline").setLevel(Level.ERROR);
        context.getLogger("org.springframework.context").setLevel(Level.ERROR);
        context.getLogger("io.zonky").setLevel(Level.ERROR);
        // The MariaDB driver logs every error packet as a warning before it throws; rk reports the
        // error itself, and the line would come before a --json document.
        context.getLogger("org.mariadb.jdbc").setLevel(Level.ERROR);
        // java.util.logging (and System.Logger) into the same lines, as Spring Boot bridges them
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
    }
}
