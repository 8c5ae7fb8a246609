/**
 * Archives in standard formats: offline exports readable with gpg, zstd, tar and psql alone, imports
 * of existing backups, and the one jar the launcher joins the application into.
 */
package io.restorekit.archive;
