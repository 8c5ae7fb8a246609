/** Wrappers that add one behaviour (retries, read-only access) to any storage. */
package io.restorekit.storage.decorator;
