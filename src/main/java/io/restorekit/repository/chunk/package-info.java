/** Content-defined chunking (FastCDC with a keyed gear table). */
package io.restorekit.repository.chunk;
