package io.restorekit.storage.decorator;

import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadOnlyStorageTest {
    private final InMemoryStorage inner = new InMemoryStorage();
    private final ReadOnlyStorage readOnly = new ReadOnlyStorage(inner);
    private final Handle existing = new Handle(Kind.SNAPSHOT, "aa01");
    private final byte[] content = {1, 2, 3, 4, 5};

    ReadOnlyStorageTest() throws IOException {
        inner.save(existing, Payload.of(content));
    }

    @Test
    @DisplayName("refuses saves and removals, naming the object and the repository, and changes nothing")
    void refusesWrites() throws IOException {
        Handle fresh = new Handle(Kind.SNAPSHOT, "bb02");
        assertThatThrownBy(() -> readOnly.save(fresh, Payload.of(content)))
                .isInstanceOf(StorageReadOnlyException.class)
                .hasMessageContaining("snapshots/bb02")
                .hasMessageContaining(inner.location())
                .hasMessageContaining("read-only");
        assertThatThrownBy(() -> readOnly.remove(existing))
                .isInstanceOf(StorageReadOnlyException.class)
                .hasMessageContaining("remove snapshots/aa01");

        List<Handle> listed = new ArrayList<>();
        inner.list(Kind.SNAPSHOT, info -> listed.add(info.handle()));
        assertThat(listed).containsExactly(existing);
    }

    @Test
    @DisplayName("passes reads through")
    void reads() throws IOException {
        assertThat(readOnly.readAll(existing)).isEqualTo(content);
        try (InputStream in = readOnly.open(existing, 1, 3)) {
            assertThat(in.readAllBytes()).containsExactly(2, 3, 4);
        }
        assertThat(readOnly.stat(existing).size()).isEqualTo(5);
        List<Handle> listed = new ArrayList<>();
        readOnly.list(Kind.SNAPSHOT, info -> listed.add(info.handle()));
        assertThat(listed).containsExactly(existing);
        assertThat(readOnly.location()).isEqualTo(inner.location());
    }
}
