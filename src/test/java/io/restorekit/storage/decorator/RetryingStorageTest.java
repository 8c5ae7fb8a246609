package io.restorekit.storage.decorator;

import io.restorekit.common.ProgressListener;
import io.restorekit.storage.FaultyStorage;
import io.restorekit.storage.FaultyStorage.Op;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryingStorageTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return retrying(new InMemoryStorage(), 3, ProgressListener.NONE);
    }

    private static RetryingStorage retrying(Storage inner, int attempts, ProgressListener listener) {
        return new RetryingStorage(inner, attempts, Duration.ofMillis(1), listener);
    }

    @Nested
    @DisplayName("through injected failures")
    class Failures {
        private final FaultyStorage faulty = FaultyStorage.wrap(new InMemoryStorage());
        private final List<String> warnings = new ArrayList<>();
        private final RetryingStorage retrying = retrying(faulty, 4, new ProgressListener() {
            @Override
            public void warn(String message) {
                warnings.add(message);
            }
        });
        private final byte[] content = bytes(10_000, 42);
        private final Handle handle = handleFor(Kind.PACK, content);

        @Test
        @DisplayName("a save that fails three times, once midway, succeeds on the fourth attempt, reopening the payload")
        void saveRetried() throws IOException {
            int[] opened = {0};
            Payload counting = new Payload() {
                @Override
                public long length() {
                    return content.length;
                }

                @Override
                public InputStream open() throws IOException {
                    opened[0]++;
                    return Payload.of(content).open();
                }
            };
            faulty.failSaveMidway(3, 5000).failOn(Op.SAVE, 1, 2);

            retrying.save(handle, counting);

            assertThat(faulty.calls(Op.SAVE)).isEqualTo(4);
            assertThat(opened[0]).isEqualTo(2);
            assertThat(faulty.inner().readAll(handle)).isEqualTo(content);
            assertThat(warnings).hasSize(3);
            assertThat(warnings.get(0)).contains("save " + handle.path()).contains("attempt 2 of 4")
                    .contains(FaultyStorage.INJECTED);
        }

        @Test
        @DisplayName("a save whose answer was lost counts as done when the stored object has the payload's size")
        void lostAnswer() throws IOException {
            faulty.failSaveAfterStoring(1);

            retrying.save(handle, Payload.of(content));

            assertThat(faulty.calls(Op.SAVE)).isEqualTo(2);
            assertThat(faulty.inner().readAll(handle)).isEqualTo(content);
        }

        @Test
        @DisplayName("an object that existed before the first attempt is reported, never taken for a landed retry")
        void existingObject() throws IOException {
            faulty.inner().save(handle, Payload.of(new byte[5]));
            assertThatThrownBy(() -> retrying.save(handle, Payload.of(content)))
                    .isInstanceOf(ObjectExistsException.class);
            assertThat(faulty.calls(Op.SAVE)).isEqualTo(1);

            faulty.reset().failOn(Op.SAVE, 1);
            assertThatThrownBy(() -> retrying.save(handle, Payload.of(content)))
                    .isInstanceOf(ObjectExistsException.class);
            assertThat(faulty.calls(Op.SAVE)).isEqualTo(2);
            assertThat(faulty.inner().readAll(handle)).isEqualTo(new byte[5]);
        }

        @Test
        @DisplayName("gives up after the configured attempts with the last failure")
        void givesUp() {
            faulty.failAlways(Op.STAT);
            assertThatThrownBy(() -> retrying.stat(handle))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("stat #4");
            assertThat(faulty.calls(Op.STAT)).isEqualTo(4);
            assertThat(warnings).hasSize(3);
        }

        @Test
        @DisplayName("a missing object is reported at once")
        void notFoundNotRetried() {
            assertThatThrownBy(() -> retrying.open(handle, 0, -1)).isInstanceOf(ObjectNotFoundException.class);
            assertThatThrownBy(() -> retrying.stat(handle)).isInstanceOf(ObjectNotFoundException.class);
            assertThat(faulty.calls(Op.OPEN)).isEqualTo(1);
            assertThat(faulty.calls(Op.STAT)).isEqualTo(1);
            assertThat(warnings).isEmpty();
        }

        @Test
        @DisplayName("open, stat, list and remove are retried")
        void otherCallsRetried() throws IOException {
            faulty.inner().save(handle, Payload.of(content));
            faulty.failOn(Op.OPEN, 1).failOn(Op.STAT, 1, 2).failOn(Op.LIST, 1).failOn(Op.REMOVE, 1, 2, 3);

            assertThat(retrying.readAll(handle)).isEqualTo(content);
            assertThat(retrying.stat(handle).size()).isEqualTo(content.length);
            assertThat(listAll(retrying, Kind.PACK)).containsOnlyKeys(handle);
            retrying.remove(handle);

            assertThatThrownBy(() -> faulty.inner().stat(handle)).isInstanceOf(ObjectNotFoundException.class);
            assertThat(faulty.calls(Op.OPEN)).isEqualTo(2);
            assertThat(faulty.calls(Op.STAT)).isEqualTo(3);
            assertThat(faulty.calls(Op.LIST)).isEqualTo(2);
            assertThat(faulty.calls(Op.REMOVE)).isEqualTo(4);
        }

        @Test
        @DisplayName("a read that breaks midway resumes where it stopped")
        void readResumes() throws IOException {
            faulty.inner().save(handle, Payload.of(content));
            faulty.failReadMidway(1, 3000).failReadMidway(2, 2000);

            try (InputStream in = retrying.open(handle, 1000, 8000)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 1000, 9000));
            }
            try (InputStream in = retrying.open(handle, 500, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 500, content.length));
            }
            assertThat(faulty.calls(Op.OPEN)).isEqualTo(4);
        }

        @Test
        @DisplayName("a write refused by a read-only view is not retried")
        void readOnlyNotRetried() {
            RetryingStorage overReadOnly = retrying(new ReadOnlyStorage(faulty), 4, ProgressListener.NONE);
            assertThatThrownBy(() -> overReadOnly.save(handle, Payload.of(content)))
                    .isInstanceOf(StorageReadOnlyException.class);
            assertThat(faulty.calls(Op.SAVE)).isZero();
        }
    }
}
