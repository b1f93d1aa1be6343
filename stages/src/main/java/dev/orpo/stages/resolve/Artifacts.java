package dev.orpo.stages.resolve;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns the places a request names (local paths, {@code s3://} URIs, hub ids, {@code hf://datasets/...}) into local
 * files, and copies run outputs to the object store. Downloads land in a local cache keyed by the URI and are reused
 * while the source's recorded SHA-256s are unchanged. Every error names the URI.
 */
public final class Artifacts {
    static final String COMPLETE_SUFFIX = ".complete.json";
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final ObjectStore store;
    private final Path cacheDir;
    private final HubClient hub;
    private final Map<String, ObjectStore> storesByBucket = new ConcurrentHashMap<>();

    /**
     * @param store    the pipeline's object store; null when only local paths are used
     * @param cacheDir where downloads are kept (created on demand)
     * @param hub      the model hub; null where there is no network (hub ids then fail with a clear error)
     */
    public Artifacts(ObjectStore store, Path cacheDir, HubClient hub) {
        this.store = store;
        this.cacheDir = cacheDir.toAbsolutePath();
        this.hub = hub;
    }

    /** The pipeline's object store, or null. */
    public ObjectStore store() {
        return store;
    }

    /**
     * A local Hugging Face layout directory of the base model: a local directory as is, an {@code s3://} prefix
     * downloaded into the cache, or a hub id downloaded through the {@link HubClient}.
     */
    public Path model(ModelSpec spec) {
        String name = spec.nameOrPath();
        if (name == null || name.isBlank()) {
            throw new ArtifactException("model.name_or_path is blank");
        }
        if (S3Uri.isS3Uri(name)) {
            S3Uri uri = S3Uri.parse(name);
            String prefix = uri.key().isEmpty() || uri.key().endsWith("/") ? uri.key() : uri.key() + "/";
            return cachedPrefix(new S3Uri(uri.bucket(), prefix), cacheDir.resolve("models/s3").resolve(uri.bucket())
                    .resolve(safe(prefix)));
        }
        Path local = Path.of(name);
        if (Files.isDirectory(local)) {
            return local;
        }
        if (HUB_ID.matcher(name).matches() && !name.startsWith(".")) {
            return HubDownloads.model(requireHub(name), name, spec.revision(),
                    cacheDir.resolve("models/hub").resolve(name.replace("/", "--")).resolve(safe(spec.revision())));
        }
        throw new ArtifactException("model " + name + ": not a local directory, an s3:// URI or a hub id (org/name)");
    }

    /**
     * One local dataset file: a local file as is (a directory holding one data file gives that file, several Parquet
     * files are joined in name order), an {@code s3://} object or prefix, or {@code hf://datasets/<org>/<name>} (its
     * Parquet files, kept in the object store under {@code cache/datasets/hf/...} when a store exists).
     */
    public Path dataset(DatasetSpec spec) {
        String uri = spec.uri();
        if (uri == null || uri.isBlank()) {
            throw new ArtifactException("dataset.uri is blank");
        }
        try {
            if (uri.startsWith(HubDownloads.HF_DATASETS)) {
                return DataFiles.single(uri, HubDownloads.dataset(this, uri,
                        cacheDir.resolve("datasets/hf").resolve(safe(uri.substring(HubDownloads.HF_DATASETS.length())))));
            }
            if (S3Uri.isS3Uri(uri)) {
                S3Uri s3 = S3Uri.parse(uri);
                Path dir = cacheDir.resolve("datasets/s3").resolve(s3.bucket()).resolve(safe(s3.key()));
                if (!s3.key().isEmpty() && !s3.key().endsWith("/") && storeFor(uri, s3.bucket()).exists(s3.key())) {
                    return cachedObject(s3, dir);
                }
                String prefix = s3.key().isEmpty() || s3.key().endsWith("/") ? s3.key() : s3.key() + "/";
                return DataFiles.single(uri, cachedPrefix(new S3Uri(s3.bucket(), prefix), dir));
            }
            Path local = Path.of(uri);
            if (Files.isRegularFile(local)) {
                return local;
            }
            if (Files.isDirectory(local)) {
                return DataFiles.single(uri, local);
            }
            throw new ArtifactException("dataset " + uri + ": no such file or directory");
        } catch (IOException e) {
            throw new ArtifactException("dataset " + uri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Downloads an object or every object under a prefix into {@code dir}.
     *
     * @return the file written (an object) or {@code dir} (a prefix)
     */
    public Path download(String s3Uri, Path dir) {
        S3Uri uri = parse(s3Uri);
        ObjectStore s = storeFor(s3Uri, uri.bucket());
        if (!uri.key().isEmpty() && !uri.key().endsWith("/") && s.exists(uri.key())) {
            Path target = dir.resolve(uri.key().substring(uri.key().lastIndexOf('/') + 1));
            s.getFile(uri.key(), target);
            return target;
        }
        String prefix = uri.key().isEmpty() || uri.key().endsWith("/") ? uri.key() : uri.key() + "/";
        if (s.getDirectory(prefix, dir).isEmpty()) {
            throw new ArtifactException(s3Uri + ": no such object and nothing under that prefix");
        }
        return dir;
    }

    /** Uploads every file under {@code dir} below an {@code s3://bucket/prefix/}; returns relative path → SHA-256. */
    public Map<String, String> upload(Path dir, String s3PrefixUri) {
        S3Uri uri = parse(s3PrefixUri);
        return storeFor(s3PrefixUri, uri.bucket()).putDirectory(uri.key(), dir);
    }

    /** The store for a bucket: the pipeline's store, or the same endpoint and keys with another bucket. */
    public ObjectStore store(String bucket) {
        return storeFor("s3://" + bucket + "/", bucket);
    }

    ObjectStore storeFor(String uri, String bucket) {
        if (store == null) {
            throw new ArtifactException(uri + ": no object store is configured (orpo.s3.endpoint)");
        }
        if (bucket.equals(store.bucket())) {
            return store;
        }
        return storesByBucket.computeIfAbsent(bucket, b -> new ObjectStore(store.config().withBucket(b)));
    }

    HubClient requireHub(String what) {
        if (hub == null) {
            throw new ArtifactException(what + ": needs the Hugging Face hub, but no hub client is configured "
                    + "(offline mode); use a local directory or an s3:// URI");
        }
        return hub;
    }

    /** A prefix mirrored into {@code dir}; reused when every key and its stored SHA-256 are as recorded last time. */
    private Path cachedPrefix(S3Uri prefix, Path dir) {
        ObjectStore s = storeFor(prefix.toString(), prefix.bucket());
        Map<String, String> remote = new TreeMap<>();
        for (String key : s.list(prefix.key())) {
            remote.put(key.substring(prefix.key().length()), s.storedSha256(key).orElse(""));
        }
        if (remote.isEmpty()) {
            throw new ArtifactException(prefix + ": nothing under that prefix");
        }
        if (remote.equals(readMarker(dir)) && Files.isDirectory(dir)) {
            return dir;
        }
        s.getDirectory(prefix.key(), dir); // verifies each object's sha256
        writeMarker(dir, remote);
        return dir;
    }

    private Path cachedObject(S3Uri object, Path dir) {
        ObjectStore s = storeFor(object.toString(), object.bucket());
        String name = object.key().substring(object.key().lastIndexOf('/') + 1);
        Map<String, String> remote = Map.of(name, s.storedSha256(object.key()).orElse(""));
        Path target = dir.resolve(name);
        if (!remote.equals(readMarker(dir)) || !Files.isRegularFile(target)) {
            s.getFile(object.key(), target);
            writeMarker(dir, remote);
        }
        return target;
    }

    static Map<String, String> readMarker(Path dir) {
        Path marker = dir.resolveSibling(dir.getFileName() + COMPLETE_SUFFIX);
        if (!Files.isRegularFile(marker)) {
            return Map.of();
        }
        try {
            return JSON.readValue(marker.toFile(), new TypeReference<TreeMap<String, String>>() { });
        } catch (IOException e) {
            return Map.of(); // a torn marker means: download again
        }
    }

    static void writeMarker(Path dir, Map<String, String> files) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolveSibling(dir.getFileName() + COMPLETE_SUFFIX),
                    JSON.writeValueAsString(new TreeMap<>(files)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write cache marker for " + dir, e);
        }
    }

    private static S3Uri parse(String s3Uri) {
        try {
            return S3Uri.parse(s3Uri);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(e.getMessage(), e);
        }
    }

    /** A cache directory name for a URI part: readable, no separators or dot-dot. */
    static String safe(String part) {
        String s = part.replaceAll("[^A-Za-z0-9._-]", "_").replace("..", "_");
        return s.isEmpty() ? "_root" : s;
    }

    static List<String> dataExtensions() {
        return List.of(".parquet", ".jsonl", ".ndjson", ".json");
    }
}
