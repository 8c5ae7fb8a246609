package io.restorekit.repository.crypto;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.restorekit.repository.RepositoryOptions.KdfParams;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A key file (docs/repository-format.md §4): plain JSON holding the master key sealed with a key
 * derived from one password. A repository has one per password.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeyFile(int version, Instant created, String host, String user, String kdf,
                      Map<String, Integer> params, String salt, String data,
                      @JsonProperty("append-only") Boolean appendOnly) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Wraps {@code key} with {@code password}. */
    public static KeyFile create(MasterKey key, char[] password, KdfParams kdfParams, String host, String user,
                                 Instant created) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] wrapping = Kdf.derive(kdfParams, password, salt);
        Map<String, String> inner = new LinkedHashMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        inner.put("encrypt", b64.encodeToString(key.encrypt()));
        inner.put("mac", b64.encodeToString(key.mac()));
        byte[] sealed;
        try {
            sealed = new Sealer(wrapping).seal(JSON.writeValueAsBytes(inner));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Integer> params = new LinkedHashMap<>();
        if (Kdf.SCRYPT.equals(kdfParams.algorithm())) {
            params.put("N", kdfParams.memoryKib());
            params.put("r", kdfParams.iterations());
            params.put("p", kdfParams.parallelism());
        } else {
            params.put("memory-kib", kdfParams.memoryKib());
            params.put("iterations", kdfParams.iterations());
            params.put("parallelism", kdfParams.parallelism());
        }
        return new KeyFile(1, created, host, user, kdfParams.algorithm(), params, b64.encodeToString(salt),
                b64.encodeToString(sealed), null);
    }

    /** This key marked append-only: a repository opened with it refuses every deletion (§4). */
    public KeyFile withAppendOnly(boolean on) {
        return new KeyFile(version, created, host, user, kdf, params, salt, data, on ? Boolean.TRUE : null);
    }

    @JsonIgnore
    public boolean isAppendOnly() {
        return Boolean.TRUE.equals(appendOnly);
    }

    /**
     * Builds the JSON reader of key files now: its first use costs a few hundred milliseconds in a
     * fresh JVM, which a caller can spend on another thread while it reads its configuration.
     */
    public static void prepare() {
        JSON.readerFor(KeyFile.class);
    }

    public static KeyFile parse(byte[] json) throws IOException {
        KeyFile file = JSON.readValue(json, KeyFile.class);
        if (file.version() != 1) {
            throw new IOException("key file version " + file.version() + " is not supported (expected 1)");
        }
        return file;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public KdfParams kdfParams() {
        if (Kdf.SCRYPT.equals(kdf)) {
            return new KdfParams(kdf, params.get("N"), params.get("r"), params.get("p"));
        }
        return new KdfParams(kdf, params.get("memory-kib"), params.get("iterations"), params.get("parallelism"));
    }

    /** The master key; {@link AEADBadTagException} when the password does not open this file. */
    public MasterKey open(char[] password) throws AEADBadTagException {
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] wrapping = Kdf.derive(kdfParams(), password, b64.decode(salt));
        byte[] plain = new Sealer(wrapping).open(b64.decode(data));
        try {
            Map<?, ?> inner = JSON.readValue(plain, Map.class);
            return new MasterKey(b64.decode((String) inner.get("encrypt")), b64.decode((String) inner.get("mac")));
        } catch (IOException e) {
            throw new IllegalStateException("key file content is not JSON after authentication", e);
        }
    }
}
