package io.restorekit.catalog;

/** What a recorded run did. */
public enum RunKind {
    BACKUP, VERIFY, RESTORE, DRILL, COPY, FORGET, PRUNE, EXPORT, IMPORT, RUNBOOK
}
