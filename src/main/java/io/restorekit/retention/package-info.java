/** Which snapshots to keep (a pure GFS planner), and the forget and prune services that act on it. */
package io.restorekit.retention;
