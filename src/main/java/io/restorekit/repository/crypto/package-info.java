/** Authenticated encryption, key derivation and the keyed blob ids. */
package io.restorekit.repository.crypto;
