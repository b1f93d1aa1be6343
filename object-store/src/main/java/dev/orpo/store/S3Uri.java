package dev.orpo.store;

/**
 * An object address {@code s3://bucket/key}. The key may be empty (the whole bucket) and may end with {@code /} (a
 * prefix).
 */
public record S3Uri(String bucket, String key) {
    private static final String SCHEME = "s3://";

    public S3Uri {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("s3 uri: bucket must not be blank");
        }
        if (bucket.contains("/")) {
            throw new IllegalArgumentException("s3 uri: bucket must not contain '/': " + bucket);
        }
        key = key == null ? "" : key;
    }

    /** Parses {@code s3://bucket/key}; the error names the offending text. */
    public static S3Uri parse(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            throw new IllegalArgumentException("not an s3 uri (expected s3://bucket/key): " + uri);
        }
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("s3 uri has no bucket: " + uri);
        }
        return new S3Uri(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    public static boolean isS3Uri(String text) {
        return text != null && text.startsWith(SCHEME);
    }

    /** This address with {@code relative} appended to the key (a {@code /} is inserted when needed). */
    public S3Uri resolve(String relative) {
        if (key.isEmpty() || key.endsWith("/")) {
            return new S3Uri(bucket, key + relative);
        }
        return new S3Uri(bucket, key + "/" + relative);
    }

    @Override
    public String toString() {
        return SCHEME + bucket + "/" + key;
    }
}
