/** {@code doctor}: checks the configuration, credentials, reachability of sources and repositories, tools, and drill leftovers. */
package io.restorekit.doctor;
