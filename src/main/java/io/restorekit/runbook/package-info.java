/** Runbooks as code: parsed and validated procedures kept in a Git repository, run step by step with evidence committed back. */
package io.restorekit.runbook;
