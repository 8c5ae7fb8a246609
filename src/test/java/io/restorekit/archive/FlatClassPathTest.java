package io.restorekit.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlatClassPathTest {
    @TempDir
    Path dir;

    @Test
    void joinsTheClassPathIntoOneJarThatLooksUpAsTheJarsDid() throws IOException {
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jar(lib.resolve("a.jar"), Map.of("Multi-Release", "true"), entries(
                "pkg/", "",
                "pkg/Shared.txt", "from a",
                "META-INF/services/java.sql.Driver", "a.Driver\n",
                "META-INF/spring.factories", "k.Listener=a.One,\\\n  a.Two\nk.Only=a.Only\n",
                "META-INF/spring/x.imports", "a.Config",
                "META-INF/versions/17/pkg/V.txt", "a17",
                "META-INF/A.SF", "signature",
                "module-info.class", "module a"));
        jar(lib.resolve("b.jar"), Map.of(), entries(
                "pkg/", "",
                "pkg/Shared.txt", "from b",
                "pkg/Big.bin", big,
                "META-INF/services/java.sql.Driver", "b.Driver\n",
                "META-INF/spring.factories", "k.Listener=b.One\n",
                "META-INF/spring/x.imports", "b.Config\n",
                "META-INF/versions/17/pkg/W.txt", "b17"));
        Path thin = dir.resolve("restorekit.jar");
        jar(thin, Map.of("Main-Class", "io.example.Main", "Implementation-Version", "1.2.3",
                "Class-Path", "lib/a.jar lib/b.jar"), entries("io/example/Main.class", "main"));

        Path flat = dir.resolve("flat.jar");
        FlatClassPath.join(thin, flat);

        try (JarFile jar = new JarFile(flat.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Main-Class")).isEqualTo("io.example.Main");
            assertThat(main.getValue("Implementation-Version")).isEqualTo("1.2.3");
            assertThat(main.getValue("Class-Path")).isNull();
            assertThat(main.getValue("Multi-Release")).isEqualTo("true");
            assertThat(jar.getEntry("META-INF/A.SF")).isNull();
            assertThat(jar.getEntry("module-info.class")).isNull();
            assertThat(jar.getEntry("META-INF/versions/17/pkg/V.txt")).isNotNull();
            assertThat(jar.getEntry("META-INF/versions/17/pkg/W.txt"))
                    .as("b.jar does not declare itself multi-release").isNull();
            assertThat(Collections.list(jar.entries()).stream().map(ZipEntry::getName).filter("pkg/"::equals))
                    .hasSize(1);
            ZipEntry stored = jar.getEntry("pkg/Big.bin");
            assertThat(stored.getMethod()).isEqualTo(ZipEntry.DEFLATED);
        }

        try (URLClassLoader loader = new URLClassLoader(new URL[] {flat.toUri().toURL()}, null)) {
            assertThat(read(loader, "pkg/Shared.txt")).isEqualTo("from a");
            assertThat(read(loader, "io/example/Main.class")).isEqualTo("main");
            try (InputStream in = loader.getResourceAsStream("pkg/Big.bin")) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }
            assertThat(loader.getResource("pkg/")).as("folder lookups (class-path scanning)").isNotNull();
            assertThat(Collections.list(loader.getResources("META-INF/services/java.sql.Driver"))).hasSize(1);
            assertThat(read(loader, "META-INF/services/java.sql.Driver").lines()).containsExactly("a.Driver", "b.Driver");
            assertThat(read(loader, "META-INF/spring/x.imports").lines()).containsExactly("a.Config", "b.Config");
            Properties factories = new Properties();
            try (InputStream in = loader.getResourceAsStream("META-INF/spring.factories")) {
                factories.load(in);
            }
            assertThat(factories.getProperty("k.Listener")).isEqualTo("a.One,a.Two,b.One");
            assertThat(factories.getProperty("k.Only")).isEqualTo("a.Only");
        }
    }

    @Test
    void aMissingLibraryFailsAndLeavesTheJarAsItWas() throws IOException {
        Path thin = dir.resolve("restorekit.jar");
        jar(thin, Map.of("Main-Class", "io.example.Main", "Class-Path", "lib/missing.jar"),
                entries("io/example/Main.class", "main"));
        byte[] before = Files.readAllBytes(thin);

        assertThatThrownBy(() -> FlatClassPath.main(new String[] {dir.toString()}))
                .isInstanceOf(IOException.class);

        assertThat(Files.readAllBytes(thin)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("restorekit.jar");
        }
    }

    private static Map<String, Object> entries(Object... nameAndContent) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < nameAndContent.length; i += 2) {
            map.put((String) nameAndContent[i], nameAndContent[i + 1]);
        }
        return map;
    }

    private static void jar(Path path, Map<String, String> attributes, Map<String, Object> entries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> manifest.getMainAttributes().put(new Attributes.Name(k), v));
        try (OutputStream file = Files.newOutputStream(path); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, Object> entry : entries.entrySet()) {
                Object content = entry.getValue();
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(content instanceof byte[] bytes ? bytes : ((String) content).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
    }

    private static String read(ClassLoader loader, String name) throws IOException {
        try (InputStream in = loader.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
