package io.restorekit.source.files;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.RepositoryCorruptException;

import java.io.IOException;

/** Converts {@link Tree}s to and from the JSON of tree blobs; blob ids are written as hex. */
public final class TreeCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule("blob-ids")
                    .addSerializer(BlobId.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(BlobId id, JsonGenerator gen, SerializerProvider p) throws IOException {
                            gen.writeString(id.hex());
                        }
                    })
                    .addDeserializer(BlobId.class, new JsonDeserializer<>() {
                        @Override
                        public BlobId deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                            return BlobId.parse(p.getValueAsString());
                        }
                    }));

    private TreeCodec() {
    }

    public static byte[] encode(Tree tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a tree", e);
        }
    }

    /** Parses a tree blob; {@link RepositoryCorruptException} when it is not a tree. */
    public static Tree decode(byte[] json, String what) {
        try {
            return MAPPER.readValue(json, Tree.class);
        } catch (IOException | RuntimeException e) {
            throw new RepositoryCorruptException("tree blob " + what + " is not a valid tree: " + e.getMessage(), e);
        }
    }
}
