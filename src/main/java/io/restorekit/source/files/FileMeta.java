package io.restorekit.source.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** What {@code lstat} says about one path, read through the {@code unix:} attribute view. */
record FileMeta(Node.Type type, boolean special, int mode, int uid, int gid, long mtime, long ctime, long inode,
                long device, long size) {

    private static final String ATTRIBUTES =
            "unix:mode,uid,gid,ino,dev,size,ctime,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink";

    /** Reads the metadata of {@code path} itself, never of what a link points to. */
    static FileMeta read(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        Node.Type type = null;
        if ((Boolean) a.get("isSymbolicLink")) {
            type = Node.Type.SYMLINK;
        } else if ((Boolean) a.get("isDirectory")) {
            type = Node.Type.DIR;
        } else if ((Boolean) a.get("isRegularFile")) {
            type = Node.Type.FILE;
        }
        return new FileMeta(type, type == null, ((Integer) a.get("mode")) & 07777, (Integer) a.get("uid"),
                (Integer) a.get("gid"), nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Long) a.get("ino"), (Long) a.get("dev"), (Long) a.get("size"));
    }

    static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /** Resolves user and group names once per id: a lookup per file would cost a passwd scan each. */
    static final class Names {
        private final Map<Integer, String> users = new ConcurrentHashMap<>();
        private final Map<Integer, String> groups = new ConcurrentHashMap<>();

        String user(int uid, Path example) {
            return users.computeIfAbsent(uid, k -> {
                try {
                    UserPrincipal p = (UserPrincipal) Files.getAttribute(example, "unix:owner", LinkOption.NOFOLLOW_LINKS);
                    return p.getName();
                } catch (IOException | RuntimeException e) {
                    return Integer.toString(uid);
                }
            });
        }

        String group(int gid, Path example) {
            return groups.computeIfAbsent(gid, k -> {
                try {
                    GroupPrincipal p = (GroupPrincipal) Files.getAttribute(example, "unix:group", LinkOption.NOFOLLOW_LINKS);
                    return p.getName();
                } catch (IOException | RuntimeException e) {
                    return Integer.toString(gid);
                }
            });
        }
    }
}
