package dev.orpo.store;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The pipeline's view of one S3 bucket (MinIO client underneath). Every object written here carries the SHA-256 of its
 * bytes as user metadata {@value #SHA256_META}; reads verify it. Every error names the bucket and key.
 */
public final class ObjectStore {
    /** User-metadata name of the content hash (sent as {@code x-amz-meta-sha256}). */
    public static final String SHA256_META = "sha256";
    /**
     * Part size of multipart uploads: 16 MiB keeps a 10 GB shard under 640 parts (the S3 limit is 10,000) and the
     * buffer small. Files up to this size go in one PUT.
     */
    static final long PART_SIZE = 16L << 20;

    private final ObjectStoreConfig config;
    private final MinioClient client;

    public ObjectStore(ObjectStoreConfig config) {
        this.config = config;
        this.client = MinioClient.builder().endpoint(config.endpoint())
                .credentials(config.accessKey(), config.secretKey()).region(config.region()).build();
    }

    public ObjectStoreConfig config() {
        return config;
    }

    public String bucket() {
        return config.bucket();
    }

    /** {@code s3://bucket/key} of a key in this store's bucket. */
    public S3Uri uri(String key) {
        return new S3Uri(config.bucket(), key);
    }

    /** Creates the bucket unless it exists. */
    public void ensureBucket() {
        String b = config.bucket();
        call("create bucket " + b + " at " + config.endpoint(), () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(b).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(b).region(config.region()).build());
            }
            return null;
        });
    }

    /** Uploads a file (multipart above {@link #PART_SIZE}) and returns the SHA-256 of its bytes. */
    public String putFile(String key, Path file) {
        requireKey(key);
        if (!Files.isRegularFile(file)) {
            throw new ObjectStoreException("cannot upload " + file + " to " + uri(key) + ": not a regular file");
        }
        return call("upload " + file + " to " + uri(key), () -> {
            String sha = Sha256.of(file);
            client.uploadObject(UploadObjectArgs.builder().bucket(bucket()).object(key)
                    .filename(file.toString(), PART_SIZE).userMetadata(Map.of(SHA256_META, sha)).build());
            return sha;
        });
    }

    /**
     * Uploads a file whose SHA-256 the caller has already computed (multipart above {@link #PART_SIZE}), reporting
     * the bytes sent so far to {@code progress} as they are read.
     */
    public void putFile(String key, Path file, String sha256, LongConsumer progress) {
        requireKey(key);
        call("upload " + file + " to " + uri(key), () -> {
            long size = Files.size(file);
            try (InputStream in = new CountingInputStream(Files.newInputStream(file), progress)) {
                client.putObject(PutObjectArgs.builder().bucket(bucket()).object(key)
                        .stream(in, size, PART_SIZE)
                        .userMetadata(Map.of(SHA256_META, sha256)).build());
            }
            return null;
        });
    }

    /** Size and recorded SHA-256 of an object, if it exists. */
    public Optional<ObjectInfo> info(String key) {
        return stat(key).map(s -> new ObjectInfo(key, s.size(), s.userMetadata().get(SHA256_META)));
    }

    /**
     * Uploads every regular file under {@code dir} to {@code prefix + relative path} (with {@code /} separators).
     *
     * @return relative path → SHA-256, sorted by path
     */
    public Map<String, String> putDirectory(String prefix, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ObjectStoreException("cannot upload " + dir + " to " + uri(prefix) + ": not a directory");
        }
        String base = asPrefix(prefix);
        Map<String, String> hashes = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new ObjectStoreException("cannot list " + dir + " for upload to " + uri(base), e);
        }
        for (Path file : files) {
            String relative = dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
            hashes.put(relative, putFile(base + relative, file));
        }
        return hashes;
    }

    /** Stores bytes under a key and returns their SHA-256. */
    public String putBytes(String key, byte[] bytes) {
        requireKey(key);
        String sha = Sha256.of(bytes);
        call("put " + bytes.length + " bytes to " + uri(key), () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket()).object(key).stream(new ByteArrayInputStream(bytes), bytes.length, -1)
                .userMetadata(Map.of(SHA256_META, sha)).build()));
        return sha;
    }

    /** Reads a whole object into memory (for small objects: manifests, reports); verifies its SHA-256. */
    public byte[] getBytes(String key) {
        requireKey(key);
        return call("get " + uri(key), () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket()).object(key).build())) {
                byte[] bytes = in.readAllBytes();
                verify(key, Sha256.of(bytes));
                return bytes;
            }
        });
    }

    /** Downloads an object to {@code target} (parents created, replaced atomically), verifying its SHA-256. */
    public void getFile(String key, Path target) {
        getFile(key, target, null);
    }

    /**
     * As {@link #getFile(String, Path)}, and the bytes must also hash to {@code expectedSha256} (from a manifest), when
     * it is not null.
     */
    public void getFile(String key, Path target, String expectedSha256) {
        requireKey(key);
        call("download " + uri(key) + " to " + target, () -> {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path partial = Files.createTempFile(parent, target.getFileName().toString(), ".part");
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (InputStream in = new DigestInputStream(client.getObject(
                        GetObjectArgs.builder().bucket(bucket()).object(key).build()), md);
                     OutputStream out = Files.newOutputStream(partial)) {
                    in.transferTo(out);
                }
                String actual = HexFormat.of().formatHex(md.digest());
                verify(key, actual);
                if (expectedSha256 != null && !expectedSha256.equals(actual)) {
                    throw new ObjectStoreException("checksum mismatch for " + uri(key) + ": the manifest says sha256 "
                            + expectedSha256 + ", read " + actual);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
            return null;
        });
    }

    /**
     * Downloads every object under {@code prefix} into {@code dir}, keeping the relative paths.
     *
     * @return the files written, sorted
     */
    public List<Path> getDirectory(String prefix, Path dir) {
        String base = asPrefix(prefix);
        List<Path> written = new ArrayList<>();
        Path root = dir.toAbsolutePath().normalize();
        for (String key : list(base)) {
            Path target = root.resolve(key.substring(base.length())).normalize();
            if (!target.startsWith(root)) {
                throw new ObjectStoreException("refusing to write " + uri(key) + " outside " + root);
            }
            getFile(key, target);
            written.add(target);
        }
        return written;
    }

    /** Whether an object with exactly this key exists. */
    public boolean exists(String key) {
        return stat(key).isPresent();
    }

    /** The SHA-256 recorded when the object was written, if it was written by this class. */
    public Optional<String> storedSha256(String key) {
        return stat(key).map(s -> s.userMetadata().get(SHA256_META));
    }

    /** Deletes one object; deleting a key that does not exist is not an error (as S3's DeleteObject). */
    public void delete(String key) {
        requireKey(key);
        call("delete " + uri(key), () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
            return null;
        });
    }

    /** Every key under a prefix (recursive), sorted. */
    public List<String> list(String prefix) {
        return call("list " + uri(prefix), () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket()).prefix(prefix)
                    .recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    keys.add(item.objectName());
                }
            }
            keys.sort(null);
            return keys;
        });
    }

    private Optional<StatObjectResponse> stat(String key) {
        requireKey(key);
        return call("stat " + uri(key), () -> {
            try {
                return Optional.of(client.statObject(StatObjectArgs.builder().bucket(bucket()).object(key).build()));
            } catch (ErrorResponseException e) {
                String code = e.errorResponse().code();
                if ("NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    private void verify(String key, String actualSha) {
        storedSha256(key).ifPresent(expected -> {
            if (!expected.equals(actualSha)) {
                throw new ObjectStoreException("checksum mismatch for " + uri(key) + ": stored sha256 " + expected
                        + ", read " + actualSha);
            }
        });
    }

    private static String asPrefix(String prefix) {
        return prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix)
                : prefix + "/";
    }

    private static void requireKey(String key) {
        if (key == null || key.isBlank() || key.endsWith("/")) {
            throw new IllegalArgumentException("object key must be non-blank and not end with '/': " + key);
        }
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, S3Call<T> body) {
        try {
            return body.run();
        } catch (ObjectStoreException | IllegalArgumentException e) {
            throw e;
        } catch (ErrorResponseException e) {
            throw new ObjectStoreException("cannot " + what + ": " + e.errorResponse().code() + " "
                    + e.errorResponse().message(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new ObjectStoreException("cannot " + what + ": " + e, e);
        }
    }
}
