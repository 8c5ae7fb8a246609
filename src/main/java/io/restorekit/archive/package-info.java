/** Archives in standard formats: offline exports readable with gpg, zstd, tar and psql alone, and imports of existing backups. */
package io.restorekit.archive;
