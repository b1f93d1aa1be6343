package dev.orpo.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
    static Path tokenizer(Path dir) throws IOException {
        Set<String> vocab = new LinkedHashSet<>(SPECIALS);
        vocab.addAll(WORDS);
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            added.addObject().put("id", i).put("content", SPECIALS.get(i)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel").put("unk_token", "<unk>");
        ObjectNode v = model.putObject("vocab");
        int id = 0;
        for (String t : vocab) {
            v.put(t, id++);
        }
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", "<|im_start|>").put("eos_token", "<|im_end|>").put("pad_token", "<|im_end|>")
                .put("chat_template", TEMPLATE);
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        return dir;
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
