package io.restorekit.storage;

/** The kinds of object in a repository, each with its own folder (see docs/repository-format.md). */
public enum Kind {
    CONFIG("config"),
    KEY("keys"),
    DICT("dicts"),
    SNAPSHOT("snapshots"),
    INDEX("index"),
    PACK("data"),
    LOCK("locks"),
    MARK("marks");

    private final String folder;

    Kind(String folder) {
        this.folder = folder;
    }

    /** The folder of this kind, or the object name itself for {@link #CONFIG}. */
    public String folder() {
        return folder;
    }
}
