package io.restorekit.archive;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBEKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Date;

/**
 * OpenPGP symmetric encryption (RFC 4880): AES-256 with an integrity packet (MDC), the key derived
 * from a passphrase by iterated and salted SHA-256. What {@code gpg --decrypt} reads, without a
 * compression packet because what goes in is already compressed.
 */
public final class OpenPgp {
    /** The largest S2K count OpenPGP encodes (65,011,712 bytes hashed): slow for guessing, fast enough once. */
    private static final int S2K_COUNT = 0xff;
    private static final int BUFFER = 1 << 16;

    private OpenPgp() {
    }

    /**
     * A stream that encrypts what is written into {@code out}; closing it finishes the OpenPGP message
     * but leaves {@code out} open.
     *
     * @param name the file name recorded in the literal data packet
     */
    public static OutputStream encrypt(OutputStream out, char[] passphrase, String name) throws IOException {
        PGPEncryptedDataGenerator generator = new PGPEncryptedDataGenerator(
                new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
                        .setWithIntegrityPacket(true)
                        .setSecureRandom(new SecureRandom()));
        try {
            generator.addMethod(new BcPBEKeyEncryptionMethodGenerator(passphrase,
                    new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), S2K_COUNT));
            OutputStream encrypted = generator.open(new NonClosingOutputStream(out), new byte[BUFFER]);
            PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
            OutputStream plain = literal.open(encrypted, PGPLiteralData.BINARY, name, new Date(), new byte[BUFFER]);
            return new FilterOutputStream(plain) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    plain.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    plain.close();
                    literal.close();
                    encrypted.close();
                    generator.close();
                }
            };
        } catch (PGPException e) {
            throw new IOException("cannot start OpenPGP encryption: " + e.getMessage(), e);
        }
    }

    /**
     * The plaintext of an OpenPGP message encrypted with {@code passphrase}. The integrity packet is
     * checked when the stream reaches its end; a mismatch there, or a wrong passphrase at the start,
     * is an {@link RkException}.
     *
     * @param what names the message in errors
     */
    public static InputStream decrypt(InputStream in, char[] passphrase, String what) throws IOException {
        try {
            BcPGPObjectFactory objects = new BcPGPObjectFactory(PGPUtil.getDecoderStream(in));
            Object next = objects.nextObject();
            while (next != null && !(next instanceof PGPEncryptedDataList)) {
                next = objects.nextObject();
            }
            if (next == null) {
                throw new RkException(ErrorCode.BAD_INPUT, "'" + what + "' is not an OpenPGP encrypted file");
            }
            PGPPBEEncryptedData data = null;
            for (Object o : (PGPEncryptedDataList) next) {
                if (o instanceof PGPPBEEncryptedData pbe) {
                    data = pbe;
                    break;
                }
            }
            if (data == null) {
                throw new RkException(ErrorCode.BAD_INPUT, "'" + what + "' is encrypted to a public key, not with a passphrase");
            }
            InputStream clear;
            try {
                clear = data.getDataStream(new BcPBEDataDecryptorFactory(passphrase, new BcPGPDigestCalculatorProvider()));
            } catch (PGPException e) {
                throw new RkException(ErrorCode.WRONG_PASSWORD, "wrong passphrase for '" + what + "'", e);
            }
            Object inner = new BcPGPObjectFactory(clear).nextObject();
            if (!(inner instanceof PGPLiteralData literal)) {
                throw new RkException(ErrorCode.WRONG_PASSWORD, "wrong passphrase for '" + what
                        + "' (the decrypted data is not an OpenPGP literal packet)");
            }
            PGPPBEEncryptedData checked = data;
            return new FilterInputStream(literal.getInputStream()) {
                private boolean verified;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b < 0) {
                        verify();
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n < 0) {
                        verify();
                    }
                    return n;
                }

                private void verify() throws IOException {
                    if (verified) {
                        return;
                    }
                    verified = true;
                    try {
                        if (checked.isIntegrityProtected() && !checked.verify()) {
                            throw new RkException(ErrorCode.PROBLEMS_FOUND, "'" + what
                                    + "' fails its OpenPGP integrity check: the file was altered or is damaged");
                        }
                    } catch (PGPException e) {
                        throw new IOException("cannot check the integrity of '" + what + "': " + e.getMessage(), e);
                    }
                }
            };
        } catch (RuntimeException e) {
            if (e instanceof RkException) {
                throw e;
            }
            throw new IOException("cannot read OpenPGP file '" + what + "': " + e.getMessage(), e);
        }
    }
}
