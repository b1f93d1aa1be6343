package dev.orpo.stages.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /** The tiny model's tokenizer vocabulary after the specials: a few words, then {@code w<i>} fillers up to 64 ids. */
    public static final List<String> WORDS = List.of("hello", "how", "are", "you", "i", "am", "fine", "the", "a",
            "cat", "dog", "sat", "on", "mat", "is", "red", "blue", "green", "sky", "sun", "moon", "what", "color",
            "of", "grass", "snow", "white", "yes", "no");
    /** Specials at the ids {@link TokenSpace#tiny()} gives them: 0 pad, 1 BOS, 2 EOS; then unk and the chat roles. */
    public static final List<String> SPECIALS = List.of("<pad>", "<s>", "</s>", "<unk>", "<|user|>",
            "<|assistant|>", "<|end|>");
    /** A small chat template over {@link #SPECIALS}: BOS, {@code <|role|> content <|end|>} per message. */
    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|> "
            + "{{ m['content'] }} <|end|> {% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

    /**
     * Writes a word-level tokenizer.json of exactly the tiny model's 64 ids ({@link #SPECIALS}, {@link #WORDS},
     * fillers) and a tokenizer_config.json with {@link #CHAT_TEMPLATE} into {@code dir}, so the synthetic model can
     * chat, be evaluated on text tasks and generate samples like a real one.
     */
    public static Path tokenizer(Path dir) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode vocab = JSON.createObjectNode();
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIALS.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            vocab.put(SPECIALS.get(i), i);
        }
        int vocabSize = SyntheticLlama.tiny().vocabSize();
        for (int id = SPECIALS.size(); id < vocabSize; id++) {
            int w = id - SPECIALS.size();
            vocab.put(w < WORDS.size() ? WORDS.get(w) : "w" + w, id);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        model.set("vocab", vocab);
        model.put("unk_token", "<unk>");
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", "<s>").put("eos_token", "</s>").put("pad_token", "<pad>").put("unk_token", "<unk>");
        config.put("chat_template", CHAT_TEMPLATE);
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic tokenizer to " + dir, e);
        }
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
