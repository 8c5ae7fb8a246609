package io.restorekit.config;

import io.restorekit.common.AtomicFiles;
import io.restorekit.common.Hex;
import io.restorekit.repository.crypto.Sha256;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The parsed YAML tree of a configuration file, kept under {@code RK_HOME/cache/config/}: a fresh
 * JVM spends longer warming up the YAML parser for a small file (a tenth of a second and more,
 * on the start-up path of every command) than reading the tree back from a few hundred bytes.
 *
 * <p>Parsing is a function of the text alone, so a copy is used only when it was made from the
 * same text: it records the SHA-256 of the text, and a file whose text changed is parsed again and
 * its copy replaced. The copy ends with the SHA-256 of its own bytes: one that does not match is
 * ignored, and so is one that another user owns or may write to. One copy per configuration file
 * (named by the hash of its absolute path). Only trees made of what the safe constructor gives
 * for plain YAML are kept (maps, lists, strings, integers, longs, doubles, booleans, nulls);
 * anything else (timestamps, binary, sets, big integers) is parsed every time. A copy that cannot
 * be read or written is ignored: the file is parsed as it would be without one. Variables are
 * expanded after this step, so a copy never holds values of the environment.
 */
final class YamlTreeCache {
    private static final byte[] MAGIC = "rk-yaml-tree-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_DEPTH = 64;
    /** The SHA-256 of everything before it ends the copy: a damaged copy is never taken for a tree. */
    private static final int SUM = 32;

    private final Path dir;

    YamlTreeCache(Path dir) {
        this.dir = dir;
    }

    /** The tree of {@code text}, the configuration at {@code file}: from the copy when it matches, else parsed. */
    Object tree(Path file, String text, Function<String, Object> parse) {
        // the JDK's digest: OpenSSL's would be loaded here, on the start-up path, for two small inputs
        byte[] textHash = Sha256.newDigest().digest(text.getBytes(StandardCharsets.UTF_8));
        Path copy = dir.resolve(Hex.encode(Sha256.newDigest().digest(file.toAbsolutePath().normalize().toString()
                .getBytes(StandardCharsets.UTF_8))).substring(0, 16));
        Object cached = read(copy, textHash);
        if (cached != Miss.MISS) {
            return cached;
        }
        Object tree = parse.apply(text);
        byte[] encoded = encode(textHash, tree);
        if (encoded != null) {
            try {
                AtomicFiles.write(copy, encoded); // creates the folder when needed
            } catch (IOException | RuntimeException e) {
                // no copy: the next run parses again
            }
        }
        return tree;
    }

    /** What {@link #read} returns when there is no usable copy (null is a tree: an empty file). */
    private enum Miss { MISS }

    private static Object read(Path copy, byte[] textHash) {
        byte[] bytes;
        try {
            if (!trusted(copy)) {
                return Miss.MISS;
            }
            bytes = Files.readAllBytes(copy);
        } catch (IOException | RuntimeException e) {
            return Miss.MISS; // none yet, or unreadable: parsed
        }
        int header = MAGIC.length + textHash.length;
        int body = bytes.length - SUM;
        if (body < header || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || !Arrays.equals(bytes, MAGIC.length, header, textHash, 0, textHash.length)) {
            return Miss.MISS;
        }
        MessageDigest sum = Sha256.newDigest();
        sum.update(bytes, 0, body);
        if (!Arrays.equals(sum.digest(), 0, SUM, bytes, body, bytes.length)) {
            return Miss.MISS;
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, header, body - header));
            Object tree = decode(in, 0);
            return in.available() == 0 ? tree : Miss.MISS;
        } catch (IOException | RuntimeException e) {
            return Miss.MISS;
        }
    }

    /**
     * Whether the copy was written by this user and nobody else can change it: a plain file owned
     * by the user running rk, writable by no group and no other user. Without this, whoever may
     * write to a shared {@code RK_HOME} could hand rk another configuration than its file (other
     * roles, another repository). Copies are written with mode 0600, as temporary files are made.
     */
    private static boolean trusted(Path copy) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(copy, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return false;
        }
        Set<PosixFilePermission> mode = a.permissions();
        return a.isRegularFile() && a.owner().getName().equals(System.getProperty("user.name"))
                && !mode.contains(PosixFilePermission.GROUP_WRITE) && !mode.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /** The copy's bytes, or null when the tree holds a value this format does not keep. */
    static byte[] encode(byte[] textHash, Object tree) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            bytes.write(MAGIC);
            bytes.write(textHash);
            DataOutputStream out = new DataOutputStream(bytes);
            if (!encode(out, tree, 0)) {
                return null;
            }
            out.flush();
            bytes.write(Sha256.newDigest().digest(bytes.toByteArray()));
        } catch (IOException e) {
            return null;
        }
        return bytes.toByteArray();
    }

    private static boolean encode(DataOutputStream out, Object v, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            return false;
        }
        if (v == null) {
            out.writeByte('N');
        } else if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeByte('S');
            out.writeInt(b.length);
            out.write(b);
        } else if (v instanceof Boolean b) {
            out.writeByte(b ? 'T' : 'F');
        } else if (v instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte('J');
            out.writeLong(l);
        } else if (v instanceof Double d) {
            out.writeByte('D');
            out.writeLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof LinkedHashMap<?, ?> map) {
            out.writeByte('M');
            out.writeInt(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!encode(out, e.getKey(), depth + 1) || !encode(out, e.getValue(), depth + 1)) {
                    return false;
                }
            }
        } else if (v instanceof ArrayList<?> list) {
            out.writeByte('L');
            out.writeInt(list.size());
            for (Object item : list) {
                if (!encode(out, item, depth + 1)) {
                    return false;
                }
            }
        } else {
            return false;
        }
        return true;
    }

    private static Object decode(DataInputStream in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("nested too deep");
        }
        int tag = in.readUnsignedByte();
        switch (tag) {
            case 'N':
                return null;
            case 'T':
                return Boolean.TRUE;
            case 'F':
                return Boolean.FALSE;
            case 'I':
                return in.readInt();
            case 'J':
                return in.readLong();
            case 'D':
                return Double.longBitsToDouble(in.readLong());
            case 'S': {
                byte[] b = new byte[length(in)];
                in.readFully(b);
                return new String(b, StandardCharsets.UTF_8);
            }
            case 'M': {
                int n = length(in);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object key = decode(in, depth + 1);
                    map.put(key, decode(in, depth + 1));
                }
                return map;
            }
            case 'L': {
                int n = length(in);
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    list.add(decode(in, depth + 1));
                }
                return list;
            }
            default:
                throw new IOException("unknown tag " + tag);
        }
    }

    private static int length(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return n;
    }
}
