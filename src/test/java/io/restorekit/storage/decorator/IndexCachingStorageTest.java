package io.restorekit.storage.decorator;

import io.restorekit.storage.FaultyStorage;
import io.restorekit.storage.FaultyStorage.Op;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class IndexCachingStorageTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return new IndexCachingStorage(new InMemoryStorage(), tempDir.resolve("copies"));
    }

    @Nested
    @DisplayName("index copies")
    class Copies {
        private final FaultyStorage remote = FaultyStorage.wrap(new InMemoryStorage());
        private final byte[] content = bytes(5_000, 7);
        private final Handle index = handleFor(Kind.INDEX, content);

        private IndexCachingStorage cached() {
            return new IndexCachingStorage(remote, tempDir.resolve("copies"));
        }

        @Test
        @DisplayName("an index file is read from the remote once; later processes read the local copy, ranges too")
        void readOnce() throws IOException {
            remote.save(index, Payload.of(content));
            assertThat(cached().readAll(index)).isEqualTo(content);
            assertThat(remote.calls(Op.OPEN)).isEqualTo(1);
            IndexCachingStorage again = cached();
            assertThat(again.readAll(index)).isEqualTo(content);
            try (InputStream in = again.open(index, 100, 50)) {
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 100, 150));
            }
            assertThat(remote.calls(Op.OPEN)).as("no further reads of the remote").isEqualTo(1);
            assertThat(again.uncached()).isSameAs(remote);
            assertThat(again.uncached().readAll(index)).isEqualTo(content);
            assertThat(remote.calls(Op.OPEN)).isEqualTo(2);
        }

        @Test
        @DisplayName("a damaged copy is deleted and the remote read again; bytes that do not match their name are not kept")
        void damagedCopy() throws IOException {
            remote.save(index, Payload.of(content));
            cached().readAll(index);
            Path copy = tempDir.resolve("copies").resolve(index.name());
            byte[] bad = Files.readAllBytes(copy);
            bad[10] ^= 1;
            Files.write(copy, bad);
            assertThat(cached().readAll(index)).isEqualTo(content);
            assertThat(remote.calls(Op.OPEN)).isEqualTo(2);
            assertThat(Files.readAllBytes(copy)).isEqualTo(content);

            byte[] other = bytes(3_000, 8);
            Handle misnamed = new Handle(Kind.INDEX, "ab".repeat(32));
            remote.save(misnamed, Payload.of(other));
            assertThat(cached().readAll(misnamed)).as("what the remote holds, passed on").isEqualTo(other);
            assertThat(tempDir.resolve("copies").resolve(misnamed.name())).doesNotExist();
        }

        @Test
        @DisplayName("copies of index files no longer listed, or removed through it, are deleted; other kinds pass through")
        void forgetsUnlisted() throws IOException {
            remote.save(index, Payload.of(content));
            byte[] second = bytes(2_000, 9);
            Handle other = handleFor(Kind.INDEX, second);
            remote.save(other, Payload.of(second));
            IndexCachingStorage s = cached();
            s.readAll(index);
            s.readAll(other);
            remote.remove(other);
            assertThat(listAll(s, Kind.INDEX)).containsOnlyKeys(index);
            assertThat(tempDir.resolve("copies").resolve(other.name())).doesNotExist();
            s.remove(index);
            assertThat(tempDir.resolve("copies").resolve(index.name())).doesNotExist();

            byte[] pack = bytes(4_000, 10);
            Handle p = handleFor(Kind.PACK, pack);
            remote.save(p, Payload.of(pack));
            s.readAll(p);
            s.readAll(p);
            assertThat(tempDir.resolve("copies").resolve(p.name())).doesNotExist();
        }

        @Test
        @DisplayName("a copy folder that cannot be written only means reading the remote")
        void unwritable() throws IOException {
            Path file = tempDir.resolve("not-a-folder");
            Files.writeString(file, "x");
            remote.save(index, Payload.of(content));
            IndexCachingStorage s = new IndexCachingStorage(remote, file);
            assertThat(s.readAll(index)).isEqualTo(content);
            assertThat(s.readAll(index)).isEqualTo(content);
            assertThat(remote.calls(Op.OPEN)).isEqualTo(2);
        }
    }
}
