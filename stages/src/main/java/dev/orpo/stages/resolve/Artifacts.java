package dev.orpo.stages.resolve;

import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns the places a request names (local paths, {@code s3://} URIs, hub ids, {@code hf://datasets/...}) into local
 * files, mirrors a hub or local base model into the object store once ({@link #mirror}), and copies run outputs to the
 * object store. Downloads land in a local cache keyed by the URI and are reused while the source's recorded SHA-256s
 * are unchanged ({@link StoreCache}). Every error names the URI.
 */
public final class Artifacts {
    /** Config and tokenizer files: all the dataset stage reads of a model. */
    public static final List<String> TOKENIZER_FILES = HubDownloads.MODEL_FILES;
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    private final ObjectStore store;
    private final Path cacheDir;
    private final HubClient hub;
    private final Map<String, ObjectStore> storesByBucket = new ConcurrentHashMap<>();

    /**
     * @param store    the pipeline's object store; null when only local paths are used
     * @param cacheDir where downloads are kept (created on demand)
     * @param hub      the model hub; null where hub access is disabled (hub ids then fail with a hint to upload)
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
     * A local Hugging Face layout directory of the base model: its object-store copy when the spec names one
     * ({@code mirror_uri}), a local directory as is, an {@code s3://} prefix downloaded into the cache (through its
     * manifest when it has one), or a hub id (from the store's mirror when there is one, else the hub).
     */
    public Path model(ModelSpec spec) {
        String name = spec.nameOrPath();
        if (name == null || name.isBlank()) {
            throw new ArtifactException("model.name_or_path is blank");
        }
        if (spec.mirrorUri() != null) {
            return s3Prefix(spec.mirrorUri(), "models/s3", p -> true);
        }
        if (S3Uri.isS3Uri(name)) {
            return s3Prefix(name, "models/s3", p -> true);
        }
        Path local = Path.of(name);
        if (Files.isDirectory(local)) {
            return local;
        }
        if (isHubId(name)) {
            if (store != null) {
                var copy = ModelMirror.existing(store, name, spec.revision());
                if (copy.isPresent()) {
                    return s3Prefix(copy.get(), "models/s3", p -> true);
                }
            }
            return HubDownloads.model(requireHub("model " + name), name, spec.revision(), cacheDir.resolve("models/hub")
                    .resolve(name.replace("/", "--")).resolve(StoreCache.safe(spec.revision())));
        }
        throw new ArtifactException("model " + name + ": not a local directory, an s3:// URI or a hub id (org/name)");
    }

    /**
     * Only the model's config and tokenizer files ({@link #TOKENIZER_FILES}), from wherever {@link #model} would read
     * the whole model: the dataset stage never downloads weights.
     */
    public Path tokenizer(ModelSpec spec) {
        String name = spec.mirrorUri() != null ? spec.mirrorUri() : spec.nameOrPath();
        if (name == null || name.isBlank()) {
            throw new ArtifactException("model.name_or_path is blank");
        }
        Path dir;
        if (S3Uri.isS3Uri(name)) {
            dir = s3Prefix(name, "tokenizers/s3", TOKENIZER_FILES::contains);
        } else if (Files.isDirectory(Path.of(name))) {
            dir = Path.of(name);
        } else if (isHubId(name) && store != null && ModelMirror.existing(store, name, spec.revision()).isPresent()) {
            dir = s3Prefix(ModelMirror.existing(store, name, spec.revision()).get(), "tokenizers/s3",
                    TOKENIZER_FILES::contains);
        } else if (isHubId(name)) {
            dir = cacheDir.resolve("tokenizers/hub").resolve(name.replace("/", "--"))
                    .resolve(StoreCache.safe(spec.revision()));
            try {
                HubDownloads.metadata(requireHub("model " + name), name, spec.revision(), dir);
            } catch (IOException e) {
                throw new ArtifactException("model " + name + "@" + spec.revision() + ": " + e.getMessage(), e);
            }
        } else {
            throw new ArtifactException("model " + name + ": not a local directory, an s3:// URI or a hub id");
        }
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new ArtifactException("model " + name + ": no tokenizer.json");
        }
        return dir;
    }

    /**
     * The model as later stages should read it: a hub id or a local directory is copied into the object store once
     * (hub: {@code models/hub/<org>/<name>@<revision>/}; local: {@code models/<dir name>@<sha>/} as {@code orpo upload}
     * would) and the copy's URI set as {@code mirror_uri}; an {@code s3://} model is returned as is.
     *
     * @param scratch where hub files pass through on their way to the store (one weight file at a time)
     */
    public ModelSpec mirror(ModelSpec spec, Path scratch) {
        String name = spec.nameOrPath();
        if (spec.mirrorUri() != null || name == null || S3Uri.isS3Uri(name) || store == null) {
            return spec;
        }
        if (Files.isDirectory(Path.of(name))) {
            try {
                Path dir = Path.of(name);
                return spec.withMirror(StoreUpload.upload(store, dir, StoreUpload.defaultName(dir),
                        StoreManifest.MODEL, StoreUpload.Listener.NONE).uri());
            } catch (IOException e) {
                throw new ArtifactException("model " + name + ": cannot copy it to the object store: " + e, e);
            }
        }
        if (isHubId(name)) {
            var copy = ModelMirror.existing(store, name, spec.revision());
            return spec.withMirror(copy.isPresent() ? copy.get()
                    : ModelMirror.hub(requireHub("model " + name), store, name, spec.revision(), scratch));
        }
        return spec;
    }

    /**
     * Where this request needs the hub although hub access is disabled here: a hub model or {@code hf://datasets/}
     * dataset the object store holds no copy of, and {@code merge.push_to_hub}. Empty when the hub is enabled.
     */
    public List<FieldError> hubAccessErrors(TrainingRequest request) {
        List<FieldError> errors = new ArrayList<>();
        if (hub != null) {
            return errors;
        }
        String model = request.model() == null ? null : request.model().nameOrPath();
        if (model != null && request.model().mirrorUri() == null && !S3Uri.isS3Uri(model)
                && !Files.isDirectory(Path.of(model)) && isHubId(model)
                && (store == null || ModelMirror.existing(store, model, request.model().revision()).isEmpty())) {
            errors.add(new FieldError("model.name_or_path", model + " is a hub id, but hub access is disabled here ("
                    + HubAccess.ENABLED + "=false); upload the model instead: `orpo upload /path/to/model --name NAME`,"
                    + " then set model.name_or_path to the s3:// URI it prints"));
        }
        String data = request.dataset() == null ? null : request.dataset().uri();
        if (data != null && data.startsWith(HubDownloads.HF_DATASETS) && !HubDownloads.stored(store, data)) {
            errors.add(new FieldError("dataset.uri", data + " needs the hub, but hub access is disabled here ("
                    + HubAccess.ENABLED + "=false); download the data file and upload it: `orpo upload FILE --name "
                    + "NAME`, then set dataset.uri to the s3:// URI it prints"));
        }
        if (request.merge() != null && request.merge().pushToHub() != null) {
            errors.add(new FieldError("merge.push_to_hub", "hub access is disabled here (" + HubAccess.ENABLED
                    + "=false), so the merged model cannot be pushed; leave push_to_hub out and fetch the merged "
                    + "model from the object store"));
        }
        return errors;
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
                return DataFiles.single(uri, HubDownloads.dataset(this, uri, cacheDir.resolve("datasets/hf")
                        .resolve(StoreCache.safe(uri.substring(HubDownloads.HF_DATASETS.length())))));
            }
            if (S3Uri.isS3Uri(uri)) {
                S3Uri s3 = parse(uri);
                Path dir = cacheDir.resolve("datasets/s3").resolve(s3.bucket()).resolve(StoreCache.safe(s3.key()));
                ObjectStore s = storeFor(uri, s3.bucket());
                if (!s3.key().isEmpty() && !s3.key().endsWith("/") && s.exists(s3.key())) {
                    return StoreCache.object(s, s3, dir);
                }
                return DataFiles.single(uri, StoreCache.prefix(s, asPrefix(s3), dir, p -> true));
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
        if (s.getDirectory(asPrefix(uri).key(), dir).isEmpty()) {
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

    /** Whether {@code name} reads as a hub id ({@code org/name}) rather than an s3:// URI or an existing directory. */
    static boolean isHubId(String name) {
        return HUB_ID.matcher(name).matches() && !name.startsWith(".");
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
            throw new ArtifactException(what + ": needs the Hugging Face hub, but hub access is disabled here ("
                    + HubAccess.ENABLED + "=false); upload it with `orpo upload` and use the s3:// URI it prints");
        }
        return hub;
    }

    /** A model or tokenizer prefix, downloaded into {@code cache/<area>/<bucket>/<prefix>}. */
    private Path s3Prefix(String uri, String area, java.util.function.Predicate<String> wanted) {
        S3Uri prefix = asPrefix(parse(uri));
        return StoreCache.prefix(storeFor(uri, prefix.bucket()), prefix, cacheDir.resolve(area)
                .resolve(prefix.bucket()).resolve(StoreCache.safe(prefix.key())), wanted);
    }

    private static S3Uri asPrefix(S3Uri uri) {
        return uri.key().isEmpty() || uri.key().endsWith("/") ? uri : new S3Uri(uri.bucket(), uri.key() + "/");
    }

    private static S3Uri parse(String s3Uri) {
        try {
            return S3Uri.parse(s3Uri);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(e.getMessage(), e);
        }
    }

    static List<String> dataExtensions() {
        return List.of(".parquet", ".jsonl", ".ndjson", ".json");
    }
}
