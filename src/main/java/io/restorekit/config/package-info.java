/** Reads restorekit.yml, picks storage backends and passwords, and holds the open repository of a shell session. */
package io.restorekit.config;
