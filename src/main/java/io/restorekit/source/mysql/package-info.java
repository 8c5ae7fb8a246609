/** MySQL and MariaDB sources: consistent dumps through JDBC into the repository, full and scoped restores. */
package io.restorekit.source.mysql;
