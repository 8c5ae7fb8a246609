package io.restorekit.config;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class YamlTreeCacheTest {
    private static final String CONFIG = """
            repository: {url: /var/backups/rk}
            sources:
              - name: files
                type: files
                path: ${APP_ROOT}/files
                exclude: ["**/*.tmp", "cache/**"]
              - {name: db, type: mysql, url: "jdbc:mariadb://h/app", jobs: 4}
            retention: {keep-last: 3, daily: 7, append-only: false}
            alerts: {size-change: 30%, ratio: 0.25, big: 12345678901, none: null, "quoted key": "ünïcødé 😀"}
            1: numeric key
            """;

    @TempDir
    Path dir;

    /** Counts the parses the cache asks for. */
    private final List<String> parsed = new ArrayList<>();

    private final Function<String, Object> parser = text -> {
        parsed.add(text);
        return yaml(text);
    };

    private static Object yaml(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    private Path file;
    private YamlTreeCache cache;

    @BeforeEach
    void paths() {
        file = dir.resolve("restorekit.yml");
        cache = new YamlTreeCache(dir.resolve("cache"));
    }

    /** Makes the copy of {@code CONFIG} at {@code file}; returns where it is. */
    private Path firstCopy() throws IOException {
        cache.tree(file, CONFIG, parser);
        try (var copies = Files.list(dir.resolve("cache"))) {
            return copies.findFirst().orElseThrow();
        }
    }

    @Test
    @DisplayName("the tree read back from the copy equals the parsed one, value types included, and the text is parsed once")
    void roundTrip() throws IOException {
        Files.writeString(file, CONFIG);

        Object first = cache.tree(file, CONFIG, parser);
        Object second = new YamlTreeCache(dir.resolve("cache")).tree(file, CONFIG, parser);

        assertThat(parsed).hasSize(1);
        assertThat(second).isEqualTo(yaml(CONFIG)).isEqualTo(first);
        Map<?, ?> alerts = (Map<?, ?>) ((Map<?, ?>) second).get("alerts");
        assertThat(alerts.get("ratio")).isInstanceOf(Double.class);
        assertThat(alerts.get("big")).isInstanceOf(Long.class).isEqualTo(12345678901L);
        assertThat(alerts.containsKey("none")).isTrue();
        assertThat(((Map<?, ?>) second).get(1)).isEqualTo("numeric key");
        List<Object> keys = new ArrayList<>(((Map<?, ?>) second).keySet());
        assertThat(keys).as("keys keep their order").containsExactly("repository", "sources", "retention", "alerts", 1);
    }

    @Test
    @DisplayName("a changed file is parsed again and its copy replaced; another file has a copy of its own")
    void changedText() throws IOException {
        Path other = dir.resolve("other.yml");
        cache.tree(file, CONFIG, parser);
        String changed = CONFIG.replace("keep-last: 3", "keep-last: 4");

        Object tree = cache.tree(file, changed, parser);
        cache.tree(file, changed, parser);
        cache.tree(other, CONFIG, parser);
        cache.tree(file, changed, parser);

        assertThat(parsed).containsExactly(CONFIG, changed, CONFIG);
        assertThat(((Map<?, ?>) ((Map<?, ?>) tree).get("retention")).get("keep-last")).isEqualTo(4);
        try (var copies = Files.list(dir.resolve("cache"))) {
            assertThat(copies.filter(p -> !p.getFileName().toString().startsWith("."))).hasSize(2);
        }
    }

    @Test
    @DisplayName("a damaged or truncated copy is ignored: the text is parsed and the copy written again")
    void damagedCopy() throws IOException {
        Path copy = firstCopy();
        byte[] bytes = Files.readAllBytes(copy);

        byte[] tail = bytes.clone();
        tail[bytes.length - 3] ^= 0x55;
        // a changed letter in a value: still a well-formed tree, but not the one parsed
        byte[] letter = bytes.clone();
        letter[new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("numeric key")] = 'N';
        for (byte[] damaged : List.of(tail, letter, java.util.Arrays.copyOf(bytes, bytes.length / 2), new byte[0])) {
            Files.write(copy, damaged);
            assertThat(cache.tree(file, CONFIG, parser)).isEqualTo(yaml(CONFIG));
        }

        assertThat(parsed).hasSize(5);
        assertThat(cache.tree(file, CONFIG, parser)).isEqualTo(yaml(CONFIG));
        assertThat(parsed).as("the last parse wrote a good copy again").hasSize(5);
    }

    @Test
    @DisplayName("a copy another user owns or may write to is not trusted: the file is parsed instead")
    void foreignCopy() throws IOException {
        Path copy = firstCopy();
        assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-rw----"));
        cache.tree(file, CONFIG, parser);
        assertThat(parsed).as("group-writable").hasSize(2);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw----rw-"));
        cache.tree(file, CONFIG, parser);
        assertThat(parsed).as("writable by others").hasSize(3);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
        cache.tree(file, CONFIG, parser);
        assertThat(parsed).as("the user's own again").hasSize(3);

        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner takes root");
        Files.setOwner(copy, copy.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(cache.tree(file, CONFIG, parser)).isEqualTo(yaml(CONFIG));
        assertThat(parsed).as("owned by another user").hasSize(4);
    }

    @Test
    @DisplayName("trees holding timestamps, binary values or sets are parsed every time")
    void unsupportedValues() {
        for (String text : List.of("when: 2026-11-23", "blob: !!binary aGVsbG8=", "set: !!set {a, b}",
                "huge: 123456789012345678901234567890")) {
            parsed.clear();
            Object first = cache.tree(file, text, parser);
            Object second = cache.tree(file, text, parser);
            assertThat(parsed).as(text).hasSize(2);
            assertThat(second).usingRecursiveComparison().isEqualTo(first);
        }
    }

    @Test
    @DisplayName("an unwritable cache folder only means parsing every time; a parse error is thrown and leaves no copy")
    void failures() throws IOException {
        Path blocked = Files.writeString(dir.resolve("not-a-folder"), "x");
        YamlTreeCache unwritable = new YamlTreeCache(blocked.resolve("cache"));
        assertThat(unwritable.tree(file, CONFIG, parser)).isEqualTo(yaml(CONFIG));
        assertThat(unwritable.tree(file, CONFIG, parser)).isEqualTo(yaml(CONFIG));
        assertThat(parsed).hasSize(2);

        assertThatThrownBy(() -> cache.tree(file, "a: [", text -> {
            throw new InvalidConfigException("restorekit.yml: not valid YAML");
        })).isInstanceOf(InvalidConfigException.class);
        assertThat(dir.resolve("cache")).doesNotExist();
    }

    @Test
    @DisplayName("loading through ConfigLoader gives the same configuration from the copy, and still expands variables")
    void throughLoader() throws IOException {
        Files.writeString(file, """
                repository: {url: /var/backups/rk}
                sources:
                  - {name: files, type: files, path: "${APP_ROOT}/files"}
                  - {name: db, type: mysql, url: "jdbc:mariadb://h/app", jobs: 4}
                retention: {keep-last: 3, daily: 7}
                """);
        ConfigLoader first = new ConfigLoader(Map.of("RK_HOME", dir.resolve("home").toString(), "APP_ROOT", "/srv/a"),
                dir);
        ConfigLoader second = new ConfigLoader(Map.of("RK_HOME", dir.resolve("home").toString(), "APP_ROOT", "/srv/b"),
                dir);

        RkConfig a = first.load(file);
        RkConfig b = second.load(file);

        assertThat(dir.resolve("home/cache/config")).isDirectory();
        assertThat(a.sources().get(0).toString()).contains("/srv/a/files");
        assertThat(b.sources().get(0).toString()).contains("/srv/b/files");
        assertThat(b.sources()).hasSize(2);
        assertThat(b.retention()).isEqualTo(a.retention());
    }
}
