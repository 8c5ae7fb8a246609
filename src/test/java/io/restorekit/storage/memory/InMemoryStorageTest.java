package io.restorekit.storage.memory;

import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;

class InMemoryStorageTest extends StorageContract {
    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }
}
