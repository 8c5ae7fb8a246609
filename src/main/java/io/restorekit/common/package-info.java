/** Ids, error codes and progress reporting shared by every layer. */
package io.restorekit.common;
