package dev.orpo.stages.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Test data for the training stage and the services, made without any download: the synthetic tiny Llama
 * ({@link SyntheticLlama#tiny()}) and a prepared dataset directory of the digit-sorting task in the dataset stage's
 * format (manifest.json + {@code train-00000-of-00001.jsonl} / {@code test-00000-of-00001.jsonl}).
 */
public final class SyntheticPrepared {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SyntheticPrepared() {
    }

    /** Writes the tiny model (weights from {@code seed}) into {@code dir}. */
    public static Path model(Path dir, long seed) {
        return SyntheticLlama.write(dir, SyntheticLlama.tiny(), seed);
    }

    /** Writes {@code trainRows} + {@code testRows} digit-sorting pairs as a prepared dataset into {@code dir}. */
    public static Path dataset(Path dir, int trainRows, int testRows, long seed) {
        SyntheticPreferenceTask.Split split = SyntheticPreferenceTask.defaults().split(trainRows, testRows, seed);
        try {
            Files.createDirectories(dir);
            List<Map<String, Object>> shards = new ArrayList<>();
            shards.add(shard(dir, "train", split.trainPairs(TokenSpace.tiny()), 0));
            shards.add(shard(dir, "test", split.evalPairs(TokenSpace.tiny()), trainRows));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("format", "orpo-preference-jsonl/1");
            m.put("counts", Map.of("train", trainRows, "test", testRows));
            m.put("shards", shards);
            JSON.writeValue(dir.resolve(PreparedDataset.MANIFEST).toFile(), m);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic dataset to " + dir, e);
        }
    }

    private static Map<String, Object> shard(Path dir, String split, List<PreferencePair> pairs, int firstRow)
            throws IOException {
        String name = split + "-00000-of-00001.jsonl";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs.size(); i++) {
            PreferencePair p = pairs.get(i);
            sb.append("{\"row\":").append(firstRow + i).append(",\"chosen_input_ids\":").append(ids(p.chosenInputIds()))
                    .append(",\"chosen_prompt_length\":").append(p.chosenPromptLength())
                    .append(",\"rejected_input_ids\":").append(ids(p.rejectedInputIds()))
                    .append(",\"rejected_prompt_length\":").append(p.rejectedPromptLength())
                    .append(",\"truncated\":false}\n");
        }
        Files.writeString(dir.resolve(name), sb, StandardCharsets.UTF_8);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file", name);
        entry.put("split", split);
        entry.put("rows", pairs.size());
        return entry;
    }

    private static String ids(int[] ids) {
        return IntStream.of(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }
}
