/** A storage backend on an SSH server's file system, through SFTP (JSch). */
package io.restorekit.storage.sftp;
