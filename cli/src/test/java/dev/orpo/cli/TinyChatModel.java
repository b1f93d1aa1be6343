package dev.orpo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny chat-capable model directory for CLI tests: the golden llama3-gqa-f32 weights and PEFT adapter (vocabulary
 * 64) plus a word-level tokenizer.json of exactly 64 entries and a tokenizer_config.json with a small chat template.
 */
final class TinyChatModel {
    static final Path GOLDEN = Path.of("../model-core/src/test/resources/golden/llama3-gqa-f32").toAbsolutePath();
    static final List<String> SPECIAL = List.of("<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>",
            "<|assistant|>", "<|end|>");
    static final List<String> WORDS = List.of("hello", "world", "how", "are", "you", "i", "am", "fine", "the", "a",
            "cat", "dog", "sat", "on", "mat", "is", "red", "blue", "green", "sky", "sun", "moon", "what", "color",
            "of", "grass", "snow", "white", "yes", "no", "it", "was", "good", "bad", "day", "night", "water", "fire",
            "tree", "bird", "sings", "runs", "eats", "food", "big", "small", "and", "or", "to", "in", "up", "down",
            ".", "?", "!", ",");
    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} "
            + "<|end|> {% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

    private TinyChatModel() {
    }

    /** Writes the model, adapter and tokenizer files into {@code dir}; returns it. */
    static Path create(Path dir) throws IOException {
        for (String f : List.of("config.json", "model.safetensors", "adapter_config.json",
                "adapter_model.safetensors")) {
            Files.copy(GOLDEN.resolve(f), dir.resolve(f));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode vocab = json.createObjectNode();
        for (int i = 0; i < SPECIAL.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIAL.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
            vocab.put(SPECIAL.get(i), i);
        }
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.put(WORDS.get(i), SPECIAL.size() + i);
        }
        if (vocab.size() != 64) {
            throw new IllegalStateException("tiny vocabulary must have 64 entries, has " + vocab.size());
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        model.set("vocab", vocab);
        model.put("unk_token", "<unk>");
        json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        ObjectNode config = json.createObjectNode();
        config.put("bos_token", "<s>").put("eos_token", "</s>").put("pad_token", "<pad>").put("unk_token", "<unk>");
        config.put("chat_template", TEMPLATE);
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        return dir;
    }
}
