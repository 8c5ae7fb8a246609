/** A content-addressed, encrypted, deduplicating store: blobs, snapshots, keys and locks over a Storage. */
package io.restorekit.repository;
