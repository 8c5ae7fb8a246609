/** Keeps copies of a repository (3-2-1) up to date by transferring the objects they lack, still encrypted. */
package io.restorekit.copy;
