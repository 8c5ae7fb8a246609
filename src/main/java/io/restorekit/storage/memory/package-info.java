/** Storage held in memory. */
package io.restorekit.storage.memory;
