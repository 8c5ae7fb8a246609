/** The rk command line: Spring Shell commands, completion, rendering, progress and exit codes. */
package io.restorekit.shell;
