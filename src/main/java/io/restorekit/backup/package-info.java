/** Backup runs: one snapshot per source, under a lock, tagged with the run id. */
package io.restorekit.backup;
