/** Packs: many sealed blobs followed by a sealed header. */
package io.restorekit.repository.pack;
