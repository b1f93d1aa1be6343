package dev.orpo.stages.resolve;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.store.ObjectStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Puts a local Hugging Face model directory or a dataset file (or directory of data files) into the object store
 * under its content-addressed prefix ({@code models/<name>@<sha>/}, {@code datasets/<name>@<sha>/}, see
 * {@link StoreManifest}): files in path order (multipart above 16 MiB), then {@value ObjectStoreLayout#MANIFEST} last,
 * so a prefix without a manifest is an unfinished upload, never mistaken for a complete one. Running it again resumes:
 * a file already stored with the same size and SHA-256 is skipped. {@code orpo upload} and the dataset stage's mirror
 * of a local model run this.
 */
public final class StoreUpload {
    /** What an upload reports while it runs (the CLI draws a progress bar from it). */
    public interface Listener {
        /** No reports. */
        Listener NONE = new Listener() { };

        /** A local file is about to be hashed. */
        default void hashing(Path file) {
        }

        /** Hashing is done; the files go to {@code prefixUri}. */
        default void starting(StoreManifest manifest, String prefixUri) {
        }

        /** The store already holds this file (same size and SHA-256). */
        default void skipped(StoreManifest.Entry file) {
        }

        /** Bytes of {@code file} sent so far. */
        default void progress(StoreManifest.Entry file, long sent) {
        }

        default void uploaded(StoreManifest.Entry file) {
        }
    }

    /**
     * @param uri           what a request names: the prefix of a model or dataset directory, the object of a file
     * @param prefixUri     the upload's prefix
     * @param uploadedBytes bytes sent now; {@code skippedBytes} were already there
     */
    public record Result(String uri, String prefixUri, StoreManifest manifest, int uploadedFiles, long uploadedBytes,
                         int skippedFiles, long skippedBytes) {
    }

    private StoreUpload() {
    }

    /**
     * {@link StoreManifest#MODEL} for a directory with {@code config.json}, else {@link StoreManifest#DATASET} (a file,
     * or a directory of data files).
     */
    public static String kindOf(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve("config.json")) ? StoreManifest.MODEL
                : StoreManifest.DATASET;
    }

    /** The default name: the directory's name, or the file's name without its extensions; other characters → '-'. */
    public static String defaultName(Path path) {
        String n = path.toAbsolutePath().normalize().getFileName().toString();
        if (Files.isRegularFile(path) && n.indexOf('.') > 0) {
            n = n.substring(0, n.indexOf('.'));
        }
        n = n.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
        return n.isEmpty() ? "upload" : n;
    }

    /** Hashes {@code path}, then uploads it under the prefix for its kind ({@link #kindOf}), name and content. */
    public static Result upload(ObjectStore store, Path path, String name, Listener listener) throws IOException {
        return upload(store, path, name, kindOf(path), listener);
    }

    /** As {@link #upload(ObjectStore, Path, String, Listener)}, as the given kind. */
    public static Result upload(ObjectStore store, Path path, String name, String kind, Listener listener)
            throws IOException {
        if (!Files.exists(path)) {
            throw new ArtifactException(path + ": no such file or directory");
        }
        StoreManifest manifest = StoreManifest.of(kind, name, null, StoreManifest.scan(path, listener::hashing));
        if (manifest.files().isEmpty()) {
            throw new ArtifactException(path + ": nothing to upload (no files besides hidden ones)");
        }
        if (Files.isDirectory(path) && kind.equals(StoreManifest.DATASET) && manifest.files().stream()
                .noneMatch(e -> Artifacts.dataExtensions().stream().anyMatch(x -> e.path().toLowerCase(Locale.ROOT)
                        .endsWith(x)))) {
            throw new ArtifactException(path + ": neither a model directory (no config.json) nor a directory of data "
                    + "files (.parquet, .jsonl, .json)");
        }
        ObjectStoreLayout layout = new ObjectStoreLayout(store.bucket());
        String prefix = kind.equals(StoreManifest.MODEL) ? layout.uploadedModelPrefix(name, manifest.shortSha())
                : layout.uploadedDatasetPrefix(name, manifest.shortSha());
        Path base = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Result r = put(store, prefix, base, manifest, listener);
        String uri = Files.isDirectory(path) ? r.prefixUri() : layout.uri(prefix + manifest.files().get(0).path());
        return new Result(uri, r.prefixUri(), manifest, r.uploadedFiles(), r.uploadedBytes(), r.skippedFiles(),
                r.skippedBytes());
    }

    /**
     * Uploads the manifest's files from {@code base} to {@code prefix}, skipping those already stored with the same
     * size and SHA-256, then the manifest.
     */
    public static Result put(ObjectStore store, String prefix, Path base, StoreManifest manifest, Listener listener) {
        String prefixUri = store.uri(prefix).toString();
        listener.starting(manifest, prefixUri);
        int uploaded = 0;
        int skipped = 0;
        long uploadedBytes = 0;
        long skippedBytes = 0;
        for (StoreManifest.Entry e : manifest.files()) {
            String key = prefix + e.path();
            Optional<dev.orpo.store.ObjectInfo> stored = store.info(key);
            if (stored.isPresent() && stored.get().size() == e.size() && e.sha256().equals(stored.get().sha256())) {
                listener.skipped(e);
                skipped++;
                skippedBytes += e.size();
                continue;
            }
            store.putFile(key, base.resolve(e.path()), e.sha256(), sent -> listener.progress(e, sent));
            listener.uploaded(e);
            uploaded++;
            uploadedBytes += e.size();
        }
        store.putBytes(prefix + ObjectStoreLayout.MANIFEST, manifest.toJson()); // last: the upload is complete
        return new Result(prefixUri, prefixUri, manifest, uploaded, uploadedBytes, skipped, skippedBytes);
    }
}
