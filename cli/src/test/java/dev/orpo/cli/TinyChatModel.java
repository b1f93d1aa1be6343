package dev.orpo.cli;

import dev.orpo.model.text.WordLevelTokenizerFiles;

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
        List<String> vocab = new java.util.ArrayList<>(SPECIAL);
        vocab.addAll(WORDS);
        if (vocab.size() != 64) {
            throw new IllegalStateException("tiny vocabulary must have 64 entries, has " + vocab.size());
        }
        WordLevelTokenizerFiles.write(dir, new WordLevelTokenizerFiles.Spec(vocab, java.util.Set.copyOf(SPECIAL), false,
                WordLevelTokenizerFiles.tokens("bos_token", "<s>", "eos_token", "</s>", "pad_token", "<pad>",
                        "unk_token", "<unk>"), TEMPLATE));
        return dir;
    }
}
