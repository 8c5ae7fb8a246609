package io.restorekit.repository.crypto;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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

    /** Writes key files; built on first use only (reading does not need it). */
    private static final class Writer {
        static final ObjectMapper JSON = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

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
            sealed = new Sealer(wrapping).seal(Writer.JSON.writeValueAsBytes(inner));
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
     * Reads a key file. Read with the streaming parser, not the object mapper: this is on the way
     * of every command that opens a repository, and building the mapper's reader for a record costs
     * a fresh JVM more than the key derivation itself. Unknown fields are ignored, as the format
     * allows (§4).
     */
    public static KeyFile parse(byte[] json) throws IOException {
        int version = 0;
        Instant created = null;
        String host = null;
        String user = null;
        String kdf = null;
        Map<String, Integer> params = null;
        String salt = null;
        String data = null;
        Boolean appendOnly = null;
        try (JsonParser p = FACTORY.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "version" -> version = integer(p, value, field);
                    case "created" -> created = instant(p, value);
                    case "host" -> host = text(p, value, field);
                    case "user" -> user = text(p, value, field);
                    case "kdf" -> kdf = text(p, value, field);
                    case "salt" -> salt = text(p, value, field);
                    case "data" -> data = text(p, value, field);
                    case "append-only" -> appendOnly = value == JsonToken.VALUE_NULL ? null : switch (value) {
                        case VALUE_TRUE -> Boolean.TRUE;
                        case VALUE_FALSE -> Boolean.FALSE;
                        default -> throw new JsonParseException(p, "'append-only' must be true or false");
                    };
                    case "params" -> {
                        if (value == JsonToken.VALUE_NULL) {
                            params = null;
                            break;
                        }
                        expect(value, JsonToken.START_OBJECT, "'params' as an object");
                        params = new LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            params.put(name, integer(p, p.nextToken(), "params." + name));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            expect(p.currentToken(), JsonToken.END_OBJECT, "the end of the object");
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "content after the key file's object");
            }
        }
        if (version != 1) {
            throw new IOException("key file version " + version + " is not supported (expected 1)");
        }
        if (kdf == null || params == null || salt == null || data == null) {
            throw new IOException("key file lacks one of 'kdf', 'params', 'salt', 'data'");
        }
        return new KeyFile(version, created, host, user, kdf, params, salt, data, appendOnly);
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    private static void expect(JsonToken got, JsonToken wanted, String what) throws IOException {
        if (got != wanted) {
            throw new IOException("key file is not valid: expected " + what + ", found " + got);
        }
    }

    private static int integer(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new JsonParseException(p, "'" + field + "' must be an integer");
        }
        return p.getIntValue();
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new JsonParseException(p, "'" + field + "' must be a string");
        }
        return p.getText();
    }

    /** An ISO-8601 instant, or seconds since the epoch with a fraction (as Jackson writes timestamps). */
    private static Instant instant(JsonParser p, JsonToken value) throws IOException {
        try {
            return switch (value) {
                case VALUE_NULL -> null;
                case VALUE_STRING -> Instant.parse(p.getText());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    java.math.BigDecimal seconds = p.getDecimalValue();
                    yield Instant.ofEpochSecond(seconds.longValue(),
                            seconds.remainder(java.math.BigDecimal.ONE).movePointRight(9).intValue());
                }
                default -> throw new JsonParseException(p, "'created' must be a time");
            };
        } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
            throw new JsonParseException(p, "'created' is not a time: " + e.getMessage());
        }
    }

    public byte[] toJson() {
        try {
            return Writer.JSON.writeValueAsBytes(this);
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
        String encrypt = null;
        String mac = null;
        try (JsonParser p = FACTORY.createParser(plain)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "encrypt" -> encrypt = text(p, value, field);
                    case "mac" -> mac = text(p, value, field);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("key file content is not JSON after authentication", e);
        }
        if (encrypt == null || mac == null) {
            throw new IllegalStateException("key file content lacks 'encrypt' or 'mac' after authentication");
        }
        return new MasterKey(b64.decode(encrypt), b64.decode(mac));
    }
}
