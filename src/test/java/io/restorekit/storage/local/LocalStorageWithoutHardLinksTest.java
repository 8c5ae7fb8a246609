package io.restorekit.storage.local;

import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;

/** The contract on file systems without hard links (FAT, exFAT), where saves publish by rename. */
class LocalStorageWithoutHardLinksTest extends StorageContract {

    @Override
    protected Storage newStorage() throws Exception {
        LocalStorage.create(tempDir.resolve("repo"));
        return new LocalStorage(tempDir.resolve("repo"), false);
    }

    @Override
    protected boolean exclusiveSave() {
        return false;
    }
}
