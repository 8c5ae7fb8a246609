/** The daemon: runs scheduled jobs (backup, verify, drill, and those registered by name) one at a time until stopped. */
package io.restorekit.daemon;
