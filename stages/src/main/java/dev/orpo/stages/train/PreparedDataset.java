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
import java.util.List;

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
