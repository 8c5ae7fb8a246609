/** Alerts: the rules that find a condition, the catalog state that keeps it from repeating, and e-mail and webhook delivery. */
package io.restorekit.notify;
