package io.restorekit.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Notices as a JSON POST whose {@code text} field carries the whole message, which Slack,
 * Mattermost and Teams incoming webhooks display as is; the other fields are for machines.
 */
public final class WebhookChannel implements Channel {
    private final URI url;
    private final HttpClient client;

    public WebhookChannel(URI url) {
        this.url = url;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public void send(Notice notice) throws IOException, InterruptedException {
        String json = "{\"text\":" + quote(notice.text())
                + ",\"state\":" + quote(notice.state())
                + ",\"key\":" + quote(notice.key())
                + ",\"kind\":" + quote(notice.kind())
                + ",\"severity\":" + quote(notice.severity())
                + ",\"subject\":" + quote(notice.subject()) + "}";
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("webhook answered HTTP " + response.statusCode() + ": "
                    + response.body().lines().findFirst().orElse(""));
        }
    }

    @Override
    public String describe() {
        // The path of a chat webhook is its secret.
        return "webhook " + url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + "/…";
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
