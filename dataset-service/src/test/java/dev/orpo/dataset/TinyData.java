package dev.orpo.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.text.WordLevelTokenizerFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Test inputs made here: a word-level tokenizer with a ChatML template, and a small preference JSONL file. */
final class TinyData {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SPECIALS = List.of("<unk>", "<|im_start|>", "<|im_end|>");
    static final List<String> WORDS = List.of("user", "assistant", "system", "what", "is", "the", "colour", "of",
            "sky", "sea", "grass", "snow", "blue", "green", "white", "red", "yes", "no", "maybe", "?", ".", "\n");
    static final String TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + "
            + "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\n' }}{% endif %}";

    private TinyData() {
    }

    /** tokenizer.json + tokenizer_config.json in {@code dir}. */
    static Path tokenizer(Path dir) {
        Set<String> vocab = new LinkedHashSet<>(SPECIALS);
        vocab.addAll(WORDS);
        return WordLevelTokenizerFiles.write(dir, new WordLevelTokenizerFiles.Spec(List.copyOf(vocab),
                Set.copyOf(SPECIALS), false, WordLevelTokenizerFiles.tokens("bos_token", "<|im_start|>",
                "eos_token", "<|im_end|>", "pad_token", "<|im_end|>"), TEMPLATE));
    }

    /** {@code rows} prompt/chosen/rejected rows, then one row with a null chosen when {@code badRow}. */
    static Path jsonl(Path file, int rows, boolean badRow) throws IOException {
        String[] things = {"sky", "sea", "grass", "snow"};
        String[] colours = {"blue", "blue", "green", "white"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            ObjectNode n = JSON.createObjectNode();
            n.put("prompt", "what is the colour of the " + things[i % 4] + " ?" + " yes".repeat(i / 4));
            n.put("chosen", colours[i % 4] + " .");
            n.put("rejected", "red" + " maybe".repeat(i % 3) + " .");
            sb.append(JSON.writeValueAsString(n)).append('\n');
        }
        if (badRow) {
            sb.append("{\"prompt\": \"what is the colour of the sky ?\", \"chosen\": null, \"rejected\": \"no\"}\n");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString());
        return file;
    }
}
