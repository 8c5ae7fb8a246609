/** Proves a repository is whole: structure, every byte on request, and what each problem affects. */
package io.restorekit.verify;
