/** Storage as files under a folder on a local or mounted file system (disk, external drive, NAS). */
package io.restorekit.storage.local;
