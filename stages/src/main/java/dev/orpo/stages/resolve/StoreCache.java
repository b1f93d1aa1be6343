package dev.orpo.stages.resolve;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.ObjectStoreException;
import dev.orpo.store.S3Uri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Object-store prefixes and objects mirrored into a local cache directory, reused while the source is unchanged. A
 * sibling marker file {@code <dir>.complete.json} records what was downloaded (relative path → SHA-256); it is written
 * last, so a download that died half-way is done again.
 *
 * <p>A prefix holding a {@value ObjectStoreLayout#MANIFEST} ({@code orpo upload}, a hub mirror) is read through it:
 * exactly its files, each checked against the manifest's SHA-256, and an {@code @<sha>} in the prefix must be the
 * manifest's content hash. An upload or mirror prefix without its manifest is unfinished and refused.
 */
final class StoreCache {
    static final String COMPLETE_SUFFIX = ".complete.json";
    /** Prefixes {@code orpo upload} and the hub mirror write: they are complete only with their manifest. */
    private static final Pattern MANIFESTED = Pattern.compile(
            "(^|/)((models|datasets)/[A-Za-z0-9][A-Za-z0-9._-]*@[0-9a-f]{12}|models/hub/[^/]+/[^/]+@[^/]+)/$");
    private static final Pattern CONTENT_SHA = Pattern.compile("@([0-9a-f]{12})/$");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private StoreCache() {
    }

    /**
     * The files under {@code prefix} that {@code wanted} accepts (relative paths), downloaded into {@code dir}: through
     * the manifest when there is one, else every object under the prefix.
     */
    static Path prefix(ObjectStore store, S3Uri prefix, Path dir, Predicate<String> wanted) {
        String key = prefix.key();
        if (store.exists(key + ObjectStoreLayout.MANIFEST)) {
            return manifested(store, prefix, dir, wanted);
        }
        if (MANIFESTED.matcher(key).find()) {
            throw new ArtifactException(prefix + ": no " + ObjectStoreLayout.MANIFEST + " under it, so its upload never "
                    + "finished; run the same `orpo upload` again (it resumes) before using it");
        }
        Map<String, String> remote = new TreeMap<>();
        for (String k : store.list(key)) {
            String relative = k.substring(key.length());
            if (wanted.test(relative)) {
                remote.put(relative, store.storedSha256(k).orElse(""));
            }
        }
        if (remote.isEmpty()) {
            throw new ArtifactException(prefix + ": nothing under that prefix");
        }
        if (remote.equals(readMarker(dir)) && Files.isDirectory(dir)) {
            return dir;
        }
        for (String relative : remote.keySet()) {
            store.getFile(key + relative, safeTarget(dir, relative)); // verifies each object's stored sha256
        }
        writeMarker(dir, remote);
        return dir;
    }

    /** The manifest of a prefix that has one. */
    static StoreManifest manifest(ObjectStore store, S3Uri prefix) {
        StoreManifest m = StoreManifest.parse(store.getBytes(prefix.key() + ObjectStoreLayout.MANIFEST),
                prefix + ObjectStoreLayout.MANIFEST);
        var sha = CONTENT_SHA.matcher(prefix.key());
        if (sha.find() && !m.shortSha().equals(sha.group(1))) {
            throw new ArtifactException(prefix + ": its manifest's content hash starts " + m.shortSha() + ", not "
                    + sha.group(1) + " as the prefix says; the files were changed after upload");
        }
        return m;
    }

    private static Path manifested(ObjectStore store, S3Uri prefix, Path dir, Predicate<String> wanted) {
        StoreManifest m = manifest(store, prefix);
        Map<String, String> files = new TreeMap<>();
        m.files().stream().filter(e -> wanted.test(e.path())).forEach(e -> files.put(e.path(), e.sha256()));
        if (files.isEmpty()) {
            throw new ArtifactException(prefix + ": its manifest lists none of the files needed here");
        }
        if (files.equals(readMarker(dir)) && files.keySet().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
            return dir;
        }
        try {
            files.forEach((path, sha) -> store.getFile(prefix.key() + path, safeTarget(dir, path), sha));
        } catch (ObjectStoreException e) {
            throw new ArtifactException(prefix + ": " + e.getMessage(), e);
        }
        writeMarker(dir, files);
        return dir;
    }

    /** One object, downloaded into {@code dir} under its own name. */
    static Path object(ObjectStore store, S3Uri object, Path dir) {
        String name = object.key().substring(object.key().lastIndexOf('/') + 1);
        Map<String, String> remote = Map.of(name, store.storedSha256(object.key()).orElse(""));
        Path target = dir.resolve(name);
        if (!remote.equals(readMarker(dir)) || !Files.isRegularFile(target)) {
            store.getFile(object.key(), target);
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

    /** A cache directory name for a URI part: readable, no separators or dot-dot. */
    static String safe(String part) {
        String s = part.replaceAll("[^A-Za-z0-9._@-]", "_").replace("..", "_");
        return s.isEmpty() ? "_root" : s;
    }

    private static Path safeTarget(Path dir, String relative) {
        Path root = dir.toAbsolutePath().normalize();
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root)) {
            throw new ArtifactException("refusing to write " + relative + " outside " + root);
        }
        return target;
    }
}
