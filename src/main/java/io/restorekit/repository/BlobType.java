package io.restorekit.repository;

/** Data blobs hold chunks of content; tree blobs hold structure (directory listings, records). */
public enum BlobType {
    DATA(0), TREE(1);

    private final int code;

    BlobType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static BlobType ofCode(int code) {
        return switch (code) {
            case 0 -> DATA;
            case 1 -> TREE;
            default -> throw new IllegalArgumentException("unknown blob type " + code);
        };
    }
}
