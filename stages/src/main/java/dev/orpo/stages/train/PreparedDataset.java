package dev.orpo.stages.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.stages.prepare.PairShards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prepared dataset directory as the dataset stage writes it: {@code manifest.json} listing the shards
 * ({@code {"file", "split": train|test}}) in {@link PairShards} format, and optionally {@code tokenizer/} (the run's
 * tokenizer after chat-template setup).
 *
 * @param train     training pairs, in shard order
 * @param test      held-out pairs, in shard order (may be empty)
 * @param maxId     the largest token id in any pair (the model's embedding must have more rows)
 * @param tokenizer the {@code tokenizer/} directory, or null when the dataset has none
 */
public record PreparedDataset(List<PreferencePair> train, List<PreferencePair> test, int maxId, Path tokenizer) {
    public static final String MANIFEST = ObjectStoreLayout.DATASET_MANIFEST;
    public static final String TOKENIZER_DIR = ObjectStoreLayout.DATASET_TOKENIZER;
    private static final ObjectMapper JSON = new ObjectMapper();

    public PreparedDataset {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /**
     * Writes already-tokenized pairs as a prepared dataset directory (one train and one test shard, a manifest of the
     * dataset stage's format without its provenance fields): what {@code orpo train --data} does with token-id rows so
     * they reach the trainer by the same path as prepared data.
     */
    public static Path write(Path dir, List<PreferencePair> train, List<PreferencePair> test) throws IOException {
        Files.createDirectories(dir);
        List<Map<String, Object>> shards = new ArrayList<>();
        shards.add(shard(dir, "train", train, 0));
        shards.add(shard(dir, "test", test, train.size()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", PairShards.FORMAT);
        m.put("counts", Map.of("train", train.size(), "test", test.size()));
        m.put("shards", shards);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(MANIFEST).toFile(), m);
        return dir;
    }

    private static Map<String, Object> shard(Path dir, String split, List<PreferencePair> pairs, int firstRow)
            throws IOException {
        String name = split + "-00000-of-00001.jsonl";
        List<PairShards.Entry> entries = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            entries.add(new PairShards.Entry(firstRow + i, pairs.get(i), false));
        }
        PairShards.write(dir.resolve(name), entries);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file", name);
        entry.put("split", split);
        entry.put("rows", pairs.size());
        return entry;
    }

    /** Reads the shards listed in {@code dir/manifest.json}; StageFailure naming the file on any problem. */
    public static PreparedDataset read(Path dir) {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new StageFailure("dataset_uri", "prepared dataset " + dir + " has no " + MANIFEST);
        }
        List<PreferencePair> train = new ArrayList<>();
        List<PreferencePair> test = new ArrayList<>();
        int maxId = -1;
        try {
            JsonNode shards = JSON.readTree(manifest.toFile()).get("shards");
            if (shards == null || !shards.isArray()) {
                throw new StageFailure("dataset_uri", manifest + ": no \"shards\" array");
            }
            for (JsonNode shard : shards) {
                String file = shard.path("file").asText("");
                String split = shard.path("split").asText("");
                if (file.isEmpty() || file.contains("/") || !(split.equals("train") || split.equals("test"))) {
                    throw new StageFailure("dataset_uri", manifest + ": bad shard entry " + shard);
                }
                Path path = dir.resolve(file);
                if (!Files.isRegularFile(path)) {
                    throw new StageFailure("dataset_uri", "prepared dataset " + dir + " lacks shard " + file);
                }
                for (PairShards.Entry e : PairShards.read(path)) {
                    (split.equals("train") ? train : test).add(e.pair());
                    maxId = Math.max(maxId, Math.max(max(e.pair().chosenInputIds()),
                            max(e.pair().rejectedInputIds())));
                }
            }
        } catch (IOException e) {
            throw new StageFailure("dataset_uri", "cannot read prepared dataset " + dir + ": " + e.getMessage(), e);
        }
        if (train.isEmpty()) {
            throw new StageFailure("dataset_uri", "prepared dataset " + dir + " has no training rows");
        }
        Path tokenizer = dir.resolve(TOKENIZER_DIR);
        return new PreparedDataset(train, test, maxId, Files.isDirectory(tokenizer) ? tokenizer : null);
    }

    private static int max(int[] ids) {
        int m = -1;
        for (int id : ids) {
            m = Math.max(m, id);
        }
        return m;
    }
}
