package io.restorekit.source.files;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.restorekit.repository.BlobId;

import java.time.Instant;
import java.util.List;

/**
 * One entry of a directory listing in a tree blob (docs/repository-format.md §8). Fields that do
 * not apply to the entry's type are null and left out of the JSON.
 *
 * @param mode    permission bits (the low 12 bits of {@code st_mode})
 * @param mtime   modification time, nanoseconds since the epoch
 * @param ctime   status change time, nanoseconds; with {@code inode} and {@code device} only for
 *                change detection by the next incremental backup
 * @param sha256  hex SHA-256 of a file's whole content
 * @param content the data blobs of a file, in order
 * @param subtree the tree blob of a directory
 * @param target  the text of a symbolic link
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Node(
        String name,
        Type type,
        Integer mode,
        Integer uid,
        Integer gid,
        String user,
        String group,
        Long mtime,
        Long ctime,
        Long inode,
        Long device,
        Long size,
        String sha256,
        List<BlobId> content,
        BlobId subtree,
        String target) {

    /** The kinds of entries a tree holds. */
    public enum Type {
        @JsonProperty("file") FILE,
        @JsonProperty("dir") DIR,
        @JsonProperty("symlink") SYMLINK;

        /** The name used in tree blobs and listings. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Node {
        content = content == null ? null : List.copyOf(content);
    }

    @JsonIgnore
    public boolean isFile() {
        return type == Type.FILE;
    }

    @JsonIgnore
    public boolean isDir() {
        return type == Type.DIR;
    }

    @JsonIgnore
    public boolean isSymlink() {
        return type == Type.SYMLINK;
    }

    /** The size in bytes; 0 for entries that are not files. */
    @JsonIgnore
    public long sizeOrZero() {
        return size == null ? 0 : size;
    }

    @JsonIgnore
    public int modeOrDefault() {
        return mode != null ? mode : (isDir() ? 0755 : 0644);
    }

    @JsonIgnore
    public Instant mtimeInstant() {
        return mtime == null ? null : Instant.ofEpochSecond(Math.floorDiv(mtime, 1_000_000_000L),
                Math.floorMod(mtime, 1_000_000_000L));
    }

    public Node withName(String newName) {
        return new Node(newName, type, mode, uid, gid, user, group, mtime, ctime, inode, device, size, sha256,
                content, subtree, target);
    }

    public Node withSubtree(BlobId newSubtree) {
        return new Node(name, type, mode, uid, gid, user, group, mtime, ctime, inode, device, size, sha256,
                content, newSubtree, target);
    }

    /**
     * Why a name from a tree blob must not be used on disk, or null when it is safe: empty,
     * {@code .}, {@code ..}, or containing {@code /} or NUL could reach outside the restore target.
     */
    public static String unsafeNameReason(String name) {
        if (name == null || name.isEmpty()) {
            return "an empty name";
        }
        if (name.equals(".") || name.equals("..")) {
            return "the name '" + name + "'";
        }
        if (name.indexOf('/') >= 0) {
            return "a name containing '/'";
        }
        if (name.indexOf('\0') >= 0) {
            return "a name containing NUL";
        }
        return null;
    }
}
