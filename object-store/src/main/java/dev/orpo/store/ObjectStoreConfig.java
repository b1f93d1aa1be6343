package dev.orpo.store;

import java.net.URI;

/**
 * Where the object store is and how to sign in.
 *
 * @param endpoint  {@code http(s)://host:port} of the S3 API (MinIO in a cluster, S3Proxy locally)
 * @param accessKey access key id
 * @param secretKey secret access key
 * @param bucket    the pipeline's bucket; {@link #DEFAULT_BUCKET} because one bucket with a prefix per run is enough
 * @param region    signing region; {@link #DEFAULT_REGION} because MinIO and S3Proxy accept it and it spares the
 *                  client a location lookup per bucket
 */
public record ObjectStoreConfig(String endpoint, String accessKey, String secretKey, String bucket, String region) {
    public static final String DEFAULT_BUCKET = "orpo";
    public static final String DEFAULT_REGION = "us-east-1";

    public ObjectStoreConfig {
        require("orpo.s3.endpoint", endpoint);
        require("orpo.s3.access-key", accessKey);
        require("orpo.s3.secret-key", secretKey);
        bucket = bucket == null || bucket.isBlank() ? DEFAULT_BUCKET : bucket;
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("orpo.s3.endpoint is not a URL: " + endpoint, e);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("orpo.s3.endpoint must be http(s)://host[:port], was " + endpoint);
        }
    }

    /** Config with the default bucket and region. */
    public static ObjectStoreConfig of(String endpoint, String accessKey, String secretKey) {
        return new ObjectStoreConfig(endpoint, accessKey, secretKey, DEFAULT_BUCKET, DEFAULT_REGION);
    }

    /** The same store, another bucket. */
    public ObjectStoreConfig withBucket(String otherBucket) {
        return new ObjectStoreConfig(endpoint, accessKey, secretKey, otherBucket, region);
    }

    private static void require(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    @Override
    public String toString() {
        return "ObjectStoreConfig[endpoint=" + endpoint + ", accessKey=" + accessKey + ", bucket=" + bucket
                + ", region=" + region + "]"; // never print the secret
    }
}
