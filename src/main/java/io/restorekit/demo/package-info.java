/** A guided end-to-end run on sample data: backup, change, backup, restore one file as of the first snapshot, verify. */
package io.restorekit.demo;
