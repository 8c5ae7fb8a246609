package io.restorekit.storage;

import io.restorekit.storage.FaultyStorage.Op;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultyStorageTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return FaultyStorage.wrap(new InMemoryStorage());
    }

    private FaultyStorage faulty() {
        return (FaultyStorage) storage;
    }

    @Test
    @DisplayName("fails exactly the chosen calls, and counts every call")
    void failsChosenCalls() throws IOException {
        Handle a = new Handle(Kind.INDEX, "a1");
        faulty().failOn(Op.SAVE, 2).failFrom(Op.STAT, 3);

        faulty().save(a, Payload.of(new byte[3]));
        assertThatThrownBy(() -> faulty().save(new Handle(Kind.INDEX, "a2"), Payload.of(new byte[3])))
                .isInstanceOf(IOException.class).hasMessage(FaultyStorage.INJECTED + ": save #2 of index/a2");
        faulty().save(new Handle(Kind.INDEX, "a3"), Payload.of(new byte[3]));
        faulty().stat(a);
        faulty().stat(a);
        assertThatThrownBy(() -> faulty().stat(a)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> faulty().stat(a)).isInstanceOf(IOException.class);

        assertThat(faulty().calls(Op.SAVE)).isEqualTo(3);
        assertThat(faulty().calls(Op.STAT)).isEqualTo(4);
        assertThatThrownBy(() -> faulty().inner().stat(new Handle(Kind.INDEX, "a2")))
                .isInstanceOf(ObjectNotFoundException.class);

        faulty().heal();
        assertThat(faulty().stat(a).size()).isEqualTo(3);
        faulty().reset();
        assertThat(faulty().calls(Op.STAT)).isZero();
    }

    @Test
    @DisplayName("a save failed after storing leaves the object stored")
    void failAfterStoring() throws IOException {
        Handle handle = new Handle(Kind.LOCK, "l1");
        faulty().failSaveAfterStoring(1);
        assertThatThrownBy(() -> faulty().save(handle, Payload.of(new byte[7]))).isInstanceOf(IOException.class);
        assertThat(faulty().inner().readAll(handle)).hasSize(7);
    }

    @Test
    @DisplayName("corrupts one byte of the chosen object in whole and ranged reads, not the stored bytes")
    void corruptsReads() throws IOException {
        byte[] content = bytes(1000, 1);
        Handle handle = handleFor(Kind.PACK, content);
        Handle other = handleFor(Kind.INDEX, content);
        faulty().save(handle, Payload.of(content));
        faulty().save(other, Payload.of(content));
        faulty().corruptRead(handle, 500);

        byte[] whole = faulty().readAll(handle);
        assertThat(whole[500]).isEqualTo((byte) ~content[500]);
        whole[500] = content[500];
        assertThat(whole).isEqualTo(content);
        try (InputStream in = faulty().open(handle, 490, 20)) {
            byte[] range = in.readAllBytes();
            assertThat(range[10]).isEqualTo((byte) ~content[500]);
        }
        try (InputStream in = faulty().open(handle, 501, -1)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 501, 1000));
        }
        assertThat(faulty().readAll(other)).isEqualTo(content);
        assertThat(faulty().inner().readAll(handle)).isEqualTo(content);
    }
}
