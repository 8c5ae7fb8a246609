package io.restorekit.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotJsonTest {
    private static final ObjectMapper JSON = Repository.objectMapper();
    private static final BlobId TREE = BlobId.parse("ab".repeat(32));

    private static Snapshot full() {
        return new Snapshot(null, 1, "uploads", "files", Instant.parse("2026-11-23T21:08:07.123456789Z"), "nvr-01",
                "operator", "run-7", List.of("daily", "tenant 7 \u00e9\u6f22\ud83d\ude00"), "f".repeat(64),
                "/srv/app/uploads", TREE, new Snapshot.Summary(210, 33, 2_198_518_527L, 12_345, 12_500, 209, 981),
                List.of(new Snapshot.Warning("a/b c.txt", "vanished during the backup"),
                        new Snapshot.Warning("line\nbreak", "changed while read: \"quoted\"")));
    }

    private static Snapshot minimal() {
        return new Snapshot(null, 1, "saas", "postgres", Instant.parse("2026-01-01T00:00:00Z"), null, null, null,
                null, null, null, null, null, null);
    }

    @Test
    @DisplayName("reads what the mapper writes, field for field, without the mapper")
    void readsTheWrittenForm() throws Exception {
        for (Snapshot s : List.of(full(), minimal())) {
            byte[] body = JSON.writeValueAsBytes(s);
            Snapshot plain = SnapshotJson.readPlain(body, JSON.getFactory());
            assertThat(plain).as("the streaming form reads %s", new String(body, StandardCharsets.UTF_8))
                    .isNotNull()
                    .isEqualTo(JSON.readValue(body, Snapshot.class))
                    .isEqualTo(s);
            assertThat(SnapshotJson.read(body, JSON)).isEqualTo(s);
        }
    }

    @Test
    @DisplayName("explicit nulls, and a summary without some fields, read as the mapper reads them")
    void nullsAndMissingFields() throws Exception {
        String text = "{\"version\":1,\"source\":\"a\",\"kind\":\"files\",\"time\":\"2026-01-01T00:00:00Z\","
                + "\"host\":null,\"tags\":null,\"tree\":null,\"warnings\":null,\"summary\":{\"files\":3,\"bytes\":9}}";
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        Snapshot plain = SnapshotJson.readPlain(body, JSON.getFactory());
        assertThat(plain).isNotNull().isEqualTo(JSON.readValue(body, Snapshot.class));
        assertThat(plain.summary()).isEqualTo(new Snapshot.Summary(3, 0, 9, 0, 0, 0, 0));
        assertThat(plain.tags()).isEmpty();
    }

    @Test
    @DisplayName("another form (an unknown field, a number as text, an epoch time) is left to the mapper")
    void otherFormsGoToTheMapper() throws Exception {
        String written = JSON.writeValueAsString(full());
        List<String> others = List.of(
                written.replaceFirst("\\{", "{\"added-later\":{\"x\":[1,2]},"),
                written.replace("\"version\":1", "\"version\":\"1\""),
                written.replace("\"2026-11-23T21:08:07.123456789Z\"", "1795554487.123456789"),
                written.replace("\"files\":210", "\"files\":210,\"new-counter\":5"));
        for (String other : others) {
            byte[] body = other.getBytes(StandardCharsets.UTF_8);
            assertThat(SnapshotJson.readPlain(body, JSON.getFactory())).as(other).isNull();
            assertThat(SnapshotJson.read(body, JSON)).as(other).isEqualTo(JSON.readValue(body, Snapshot.class));
        }
        assertThat(SnapshotJson.read(others.get(0).getBytes(StandardCharsets.UTF_8), JSON)).isEqualTo(full());
    }

    @Test
    @DisplayName("a damaged manifest fails as it does with the mapper")
    void damaged() {
        byte[] truncated = "{\"version\":1,\"source\":\"a\"".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SnapshotJson.read(truncated, JSON))
                .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
        byte[] badTree = "{\"version\":1,\"tree\":\"xyz\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SnapshotJson.read(badTree, JSON)).isInstanceOf(Exception.class);
    }
}
