/** What is backed up: the source interfaces and their specifications. */
package io.restorekit.source;
