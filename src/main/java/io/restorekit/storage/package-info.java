/** The one small storage interface that every backend implements, and its errors. */
package io.restorekit.storage;
