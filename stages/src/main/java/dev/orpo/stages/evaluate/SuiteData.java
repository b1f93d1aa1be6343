package dev.orpo.stages.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.eval.ChoiceTask;
import dev.orpo.model.eval.lmeval.LmEvalTask;
import dev.orpo.model.eval.lmeval.LmEvalTasks;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.HubClient;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The datasets of lm-eval tasks, read from a data directory laid out as the hub serves them (docs/eval-tasks.md):
 * {@code <root>/<org>/<name>/<config>/} holding a split's files as {@code <split>.jsonl}, {@code <split>.parquet},
 * {@code <split>-*.parquet} (a hub repository's shards) or {@code <split>/*.parquet} (the hub's Parquet conversion);
 * a task without a config reads {@code default/}, else {@code data/}. The root is a local directory, an
 * {@code s3://bucket/prefix} holding the same layout (only the needed split files are downloaded), or
 * {@code hf://datasets}: each split's Parquet files from the hub's Parquet listing, through the same
 * {@link HubClient} as training data, cached in that layout.
 */
public final class SuiteData {
    /** The hub as a data directory. */
    public static final String HUB = "hf://datasets";

    private final String root;
    private final Artifacts artifacts;
    private final HubClient hub;
    private final Path cacheDir;

    /**
     * @param root      local directory, {@code s3://bucket/prefix} or {@link #HUB}
     * @param artifacts for {@code s3://} roots (the store's endpoint and keys); may be null otherwise
     * @param hub       for {@link #HUB}; null where there is no hub (offline)
     * @param cacheDir  where downloads are kept
     */
    public SuiteData(String root, Artifacts artifacts, HubClient hub, Path cacheDir) {
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.artifacts = artifacts;
        this.hub = hub;
        this.cacheDir = cacheDir;
    }

    /**
     * The named tasks, each read from its evaluation split and, when examples are drawn and come from another split,
     * its few-shot split.
     */
    public List<ChoiceTask> load(List<String> taskNames, int numFewshot) {
        List<ChoiceTask> tasks = new ArrayList<>();
        for (String name : taskNames) {
            tasks.add(load(LmEvalTasks.require(name), numFewshot));
        }
        return tasks;
    }

    ChoiceTask load(LmEvalTask task, int numFewshot) {
        try {
            List<Path> evalFiles = splitFiles(task, task.evalSplit());
            boolean pool = task.shots(numFewshot) > 0 && !task.fewShotSplit().equals(task.evalSplit());
            List<JsonNode> fewShotRows = pool ? TaskRows.read(splitFiles(task, task.fewShotSplit())) : List.of();
            return task.task(TaskRows.read(evalFiles), fewShotRows, evalFiles.size() == 1
                    ? evalFiles.get(0).toString() : evalFiles.get(0).getParent().toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(task.name() + ": " + e.getMessage(), e);
        }
    }

    /** The local files of one split, in name order, downloaded first for s3:// and hub roots. */
    List<Path> splitFiles(LmEvalTask task, String split) throws IOException {
        if (root.equals(HUB)) {
            return hubSplit(task, split);
        }
        List<String> configDirs = task.config().equals("default") ? List.of("default", "data") : List.of(task.config());
        for (String config : configDirs) {
            String rel = task.dataset() + "/" + config;
            List<Path> files = S3Uri.isS3Uri(root) ? s3Split(rel, split) : matching(Path.of(root).resolve(rel), split);
            if (!files.isEmpty()) {
                return files;
            }
        }
        throw new IOException("no " + split + " split under " + root + "/" + task.dataset() + "/" + configDirs.get(0)
                + "/ (expected " + split + ".jsonl, " + split + ".parquet, " + split + "-*.parquet or " + split
                + "/*.parquet; docs/eval-tasks.md)");
    }

    /** Files of a split in a config directory: {@code <split>.ext}, {@code <split>-*.ext}, {@code <split>/*.ext}. */
    static List<Path> matching(Path configDir, String split) throws IOException {
        if (!Files.isDirectory(configDir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(configDir)) {
            files.filter(Files::isRegularFile).filter(TaskRows::isData).filter(f -> matches(f.getFileName()
                    .toString(), split)).forEach(out::add);
        }
        Path sub = configDir.resolve(split);
        if (out.isEmpty() && Files.isDirectory(sub)) {
            try (Stream<Path> files = Files.list(sub)) {
                files.filter(Files::isRegularFile).filter(TaskRows::isData).forEach(out::add);
            }
        }
        return out.stream().sorted().toList();
    }

    private static boolean matches(String fileName, String split) {
        String stem = fileName.substring(0, fileName.lastIndexOf('.'));
        return stem.equals(split) || stem.startsWith(split + "-");
    }

    private List<Path> s3Split(String rel, String split) {
        if (artifacts == null) {
            throw new IllegalArgumentException(root + ": no object store is configured for s3:// data");
        }
        S3Uri base = S3Uri.parse(root + "/" + rel + "/");
        ObjectStore store = artifacts.store(base.bucket());
        Path local = cacheDir.resolve("s3").resolve(base.bucket()).resolve(base.key());
        List<Path> out = new ArrayList<>();
        for (String key : store.list(base.key())) {
            String name = key.substring(base.key().length());
            String file = name.substring(name.lastIndexOf('/') + 1);
            boolean direct = !name.contains("/") && matches(file, split);
            boolean inDir = name.equals(split + "/" + file);
            if ((direct || inDir) && TaskRows.isData(Path.of(file))) {
                Path target = local.resolve(name);
                store.getFile(key, target); // verifies the stored SHA-256
                out.add(target);
            }
        }
        return out.stream().sorted().toList();
    }

    /** The split's Parquet files from the hub's Parquet listing, cached as {@code <dataset>/<config>/<split>/}. */
    private List<Path> hubSplit(LmEvalTask task, String split) throws IOException {
        Path dir = cacheDir.resolve("hf").resolve(task.dataset()).resolve(task.config()).resolve(split);
        List<Path> cached = matching(dir.getParent(), split);
        if (!cached.isEmpty() && Files.exists(dir.resolve(".complete"))) {
            return cached;
        }
        if (hub == null) {
            throw new IOException(HUB + "/" + task.dataset() + " needs the Hugging Face hub, and none is configured "
                    + "(offline); give a local or s3:// data directory");
        }
        String listingUrl = hub.parquetListingUrl(task.dataset());
        JsonNode listing = hub.getJson(listingUrl).orElseThrow(() -> new IOException("the hub has no Parquet listing"
                + " at " + listingUrl));
        JsonNode urls = listing.path(task.config()).path(split);
        if (!urls.isArray() || urls.isEmpty()) {
            throw new IOException(listingUrl + " lists no files for config " + task.config() + ", split " + split);
        }
        int i = 0;
        for (Iterator<JsonNode> it = urls.elements(); it.hasNext(); i++) {
            String url = it.next().asText();
            if (!hub.downloadIfPresent(url, dir.resolve(String.format("%04d.parquet", i)))) {
                throw new IOException("listed file " + url + " answered 404");
            }
        }
        Files.writeString(dir.resolve(".complete"), listingUrl + "\n");
        return matching(dir.getParent(), split);
    }
}
