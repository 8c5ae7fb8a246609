/** Directory trees: walking, change detection, tree blobs, and safe restores. */
package io.restorekit.source.files;
