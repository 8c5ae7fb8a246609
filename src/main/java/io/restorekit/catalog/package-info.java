/** The operations catalog: runs, drills, restores and the audit trail, kept outside the repository. */
package io.restorekit.catalog;
