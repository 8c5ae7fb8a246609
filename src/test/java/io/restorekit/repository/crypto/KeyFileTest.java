package io.restorekit.repository.crypto;

import io.restorekit.repository.RepositoryOptions.KdfParams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyFileTest {
    private static final KdfParams CHEAP = KdfParams.cheap();
    private static final Instant CREATED = Instant.parse("2026-11-23T16:35:21.358745389Z");

    private static String json(KeyFile k) {
        return new String(k.toJson(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("a key file written and read back is the same key, and opens with its password only")
    void roundTrip() throws Exception {
        MasterKey key = MasterKey.generate();
        KeyFile written = KeyFile.create(key, "s3cret".toCharArray(), CHEAP, "host-1", "op", CREATED);

        KeyFile read = KeyFile.parse(written.toJson());

        assertThat(read).isEqualTo(written);
        MasterKey opened = read.open("s3cret".toCharArray());
        assertThat(opened.encrypt()).isEqualTo(key.encrypt());
        assertThat(opened.mac()).isEqualTo(key.mac());
        assertThatThrownBy(() -> read.open("wrong".toCharArray())).isInstanceOf(AEADBadTagException.class);
        KeyFile appendOnly = KeyFile.parse(written.withAppendOnly(true).toJson());
        assertThat(appendOnly.isAppendOnly()).isTrue();
        assertThat(appendOnly.open("s3cret".toCharArray()).mac()).isEqualTo(key.mac());
    }

    @Test
    @DisplayName("unknown fields are ignored; a time written as seconds since the epoch is read too")
    void tolerant() throws IOException {
        KeyFile written = KeyFile.create(MasterKey.generate(), "pw".toCharArray(), CHEAP, "h", "u", CREATED);
        String text = json(written).replaceFirst("\\{", "{\"future\": {\"nested\": [1, {\"x\": null}]}, \"flag\": true,")
                .replace("\"2026-11-23T16:35:21.358745389Z\"", "1795451721.358745389");

        KeyFile read = KeyFile.parse(text.getBytes(StandardCharsets.UTF_8));

        assertThat(read.created()).isEqualTo(CREATED);
        assertThat(read.salt()).isEqualTo(written.salt());
        assertThat(read.kdfParams()).isEqualTo(CHEAP);
    }

    @Test
    @DisplayName("a key file of another version, with a field missing or of the wrong type, or not JSON, is refused")
    void refused() {
        KeyFile written = KeyFile.create(MasterKey.generate(), "pw".toCharArray(), CHEAP, "h", "u", CREATED);
        String good = json(written);
        Map<String, String> bad = Map.of(
                "version 2", good.replace("\"version\" : 1", "\"version\" : 2"),
                "no salt", good.replaceFirst("\"salt\" : \"[^\"]*\",", ""),
                "params not an object", good.replaceFirst("\"params\" : \\{[^}]*}", "\"params\" : 5"),
                "salt a number", good.replaceFirst("\"salt\" : \"[^\"]*\"", "\"salt\" : 5"),
                "not JSON", "{\"version\": 1,",
                "an array", "[1, 2]",
                "content after", good + " {}",
                "bad time", good.replace("2026-11-23T16:35:21.358745389Z", "yesterday"));
        bad.forEach((what, text) -> assertThatThrownBy(() -> KeyFile.parse(text.getBytes(StandardCharsets.UTF_8)))
                .as(what).isInstanceOf(IOException.class));
    }
}
