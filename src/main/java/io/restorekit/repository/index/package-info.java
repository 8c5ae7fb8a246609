/** The index from blob ids to their place in packs, and its files. */
package io.restorekit.repository.index;
