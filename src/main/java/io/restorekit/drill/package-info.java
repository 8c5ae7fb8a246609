/** Restore drills: a snapshot restored into a temporary database and folder, checked, timed, reported and cleaned up. */
package io.restorekit.drill;
