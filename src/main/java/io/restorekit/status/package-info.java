/** The operations state read back: runs recorded around backup, verify and copy, the status dashboard, Prometheus metrics, catalog rebuild and monthly reports. */
package io.restorekit.status;
