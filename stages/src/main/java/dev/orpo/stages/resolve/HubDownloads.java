package dev.orpo.stages.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Hub downloads: a model's files at a revision, a dataset's Parquet files (mirrored into the object store). */
final class HubDownloads {
    static final String HF_DATASETS = "hf://datasets/";
    /** Object-store prefix of mirrored hub datasets; a {@value #COMPLETE} object is written last. */
    static final String STORE_CACHE_PREFIX = "cache/datasets/hf/";
    static final String COMPLETE = "_COMPLETE";
    /** What a model directory needs besides the weights (and all a tokenizer needs); optional except config.json. */
    static final List<String> MODEL_FILES = List.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json");
    static final String INDEX = "model.safetensors.index.json";
    static final String SINGLE_WEIGHTS = "model.safetensors";

    private HubDownloads() {
    }

    static Path model(HubClient hub, String repoId, String revision, Path dir) {
        String where = hub.baseUrl() + "/" + repoId + "@" + revision;
        Map<String, String> cached = StoreCache.readMarker(dir);
        if (!cached.isEmpty() && cached.keySet().stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)))) {
            return dir; // hub revisions other than commit hashes can move; delete the cache dir to refresh
        }
        try {
            Map<String, String> files = new TreeMap<>();
            for (String f : modelFiles(hub, repoId, revision, dir)) {
                if (!Files.isRegularFile(dir.resolve(f))) {
                    weights(hub, repoId, revision, f, dir);
                }
                files.put(f, Sha256.of(dir.resolve(f)));
            }
            StoreCache.writeMarker(dir, files);
            return dir;
        } catch (IOException e) {
            throw new ArtifactException("model " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Downloads the metadata files ({@link #MODEL_FILES}, all optional but config.json) into {@code dir}.
     *
     * @return the names downloaded
     */
    static List<String> metadata(HubClient hub, String repoId, String revision, Path dir) throws IOException {
        List<String> present = new ArrayList<>();
        for (String f : MODEL_FILES) {
            if (hub.downloadIfPresent(hub.fileUrl(repoId, revision, f), dir.resolve(f))) {
                present.add(f);
            } else if (f.equals("config.json")) {
                throw new ArtifactException("model " + hub.baseUrl() + "/" + repoId + "@" + revision + ": no "
                        + "config.json (not a model repository, or the revision does not exist)");
            }
        }
        return present;
    }

    /**
     * Downloads the metadata files and the weight index (when the weights are sharded) into {@code dir}.
     *
     * @return every file of the model: metadata, index, then the weight files (not downloaded yet)
     */
    static List<String> modelFiles(HubClient hub, String repoId, String revision, Path dir) throws IOException {
        List<String> files = new ArrayList<>(metadata(hub, repoId, revision, dir));
        if (hub.downloadIfPresent(hub.fileUrl(repoId, revision, INDEX), dir.resolve(INDEX))) {
            files.add(INDEX);
            JsonNode map = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(INDEX).toFile())
                    .path("weight_map");
            TreeSet<String> shards = new TreeSet<>();
            map.elements().forEachRemaining(n -> shards.add(n.asText()));
            if (shards.isEmpty()) {
                throw new ArtifactException("model " + hub.baseUrl() + "/" + repoId + "@" + revision + ": " + INDEX
                        + " has an empty weight_map");
            }
            files.addAll(shards);
        } else {
            files.add(SINGLE_WEIGHTS);
        }
        return files;
    }

    /** Downloads one weight file named by {@link #modelFiles} into {@code dir}. */
    static Path weights(HubClient hub, String repoId, String revision, String file, Path dir) throws IOException {
        if (!hub.downloadIfPresent(hub.fileUrl(repoId, revision, file), dir.resolve(file))) {
            throw new ArtifactException("model " + hub.baseUrl() + "/" + repoId + "@" + revision + ": weights file "
                    + file + " not found (" + hub.fileUrl(repoId, revision, file) + ")");
        }
        return dir.resolve(file);
    }

    /** Whether the object store holds the copy of an {@code hf://datasets/} dataset (then no hub is needed). */
    static boolean stored(ObjectStore store, String uri) {
        return store != null && store.exists(STORE_CACHE_PREFIX + uri.substring(HF_DATASETS.length()) + "/" + COMPLETE);
    }

    /** Downloads (or restores from the object store) the Parquet files of the dataset's train split into dir. */
    static Path dataset(Artifacts artifacts, String uri, Path dir) throws IOException {
        String id = uri.substring(HF_DATASETS.length());
        if (id.split("/").length != 2 || id.endsWith("/")) {
            throw new ArtifactException("dataset " + uri + ": expected hf://datasets/<org>/<name>");
        }
        ObjectStore store = artifacts.store();
        String storePrefix = STORE_CACHE_PREFIX + id + "/";
        if (store != null && store.exists(storePrefix + COMPLETE)) {
            if (StoreCache.readMarker(dir).isEmpty()) {
                store.getDirectory(storePrefix, dir);
                Files.deleteIfExists(dir.resolve(COMPLETE));
                StoreCache.writeMarker(dir, Map.of("store", store.uri(storePrefix).toString()));
            }
            return dir;
        }
        if (!StoreCache.readMarker(dir).isEmpty()) {
            return dir;
        }
        HubClient hub = artifacts.requireHub("dataset " + uri);
        String listingUrl = hub.parquetListingUrl(id);
        JsonNode listing = hub.getJson(listingUrl).orElseThrow(() -> new ArtifactException("dataset " + uri
                + ": the hub has no Parquet listing at " + listingUrl + " (no such dataset, or not converted)"));
        List<String> urls = trainUrls(uri, listing);
        Map<String, String> files = new TreeMap<>();
        for (int i = 0; i < urls.size(); i++) {
            String name = String.format("train-%05d.parquet", i);
            if (!hub.downloadIfPresent(urls.get(i), dir.resolve(name))) {
                throw new ArtifactException("dataset " + uri + ": listed file " + urls.get(i) + " answered 404");
            }
            files.put(name, Sha256.of(dir.resolve(name)));
        }
        if (store != null) {
            store.putDirectory(storePrefix, dir);
            store.putBytes(storePrefix + COMPLETE, String.join("\n", files.keySet()).getBytes(StandardCharsets.UTF_8));
        }
        StoreCache.writeMarker(dir, files);
        return dir;
    }

    /** The {@code default} config (else the first) and its {@code train} split (else every split, in order). */
    static List<String> trainUrls(String uri, JsonNode listing) {
        if (!listing.isObject() || listing.isEmpty()) {
            throw new ArtifactException("dataset " + uri + ": empty Parquet listing");
        }
        JsonNode config = listing.has("default") ? listing.get("default") : listing.elements().next();
        List<JsonNode> splits = new ArrayList<>();
        if (config.has("train")) {
            splits.add(config.get("train"));
        } else {
            config.elements().forEachRemaining(splits::add);
        }
        List<String> urls = new ArrayList<>();
        for (JsonNode split : splits) {
            for (Iterator<JsonNode> it = split.elements(); it.hasNext(); ) {
                urls.add(it.next().asText());
            }
        }
        if (urls.isEmpty()) {
            throw new ArtifactException("dataset " + uri + ": the Parquet listing names no files");
        }
        return urls;
    }
}
