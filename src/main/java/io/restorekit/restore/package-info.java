/** Restores: choosing the snapshot, planning, the overwrite policy, and browsing snapshots' files. */
package io.restorekit.restore;
