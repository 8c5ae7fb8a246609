package io.restorekit.status;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A Prometheus scrape endpoint ({@code GET /metrics}) for a long-running process such as the daemon.
 * Each scrape renders {@code metrics} anew; a failure answers 500 with the message.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code bind}:{@code port} (port 0: any free one). */
    public static MetricsServer start(String bind, int port, Supplier<String> metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body;
            int code;
            try {
                body = metrics.get().getBytes(StandardCharsets.UTF_8);
                code = 200;
            } catch (RuntimeException e) {
                body = ("# error: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
                code = 500;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return new MetricsServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
