package dev.outpost.store;

import org.jdbi.v3.core.Handle;

/**
 * One write in progress: the handle of its open transaction, and whether it changed anything a
 * watcher could see. Only a changed write bumps the global index (in the same transaction).
 */
final class WriteTransaction {
    private final Handle handle;
    private boolean changed;

    WriteTransaction(Handle handle) {
        this.handle = handle;
    }

    Handle handle() {
        return handle;
    }

    /** Marks the write as visible: the index is bumped before commit and listeners are told after. */
    void markChanged() {
        changed = true;
    }

    boolean isChanged() {
        return changed;
    }
}
