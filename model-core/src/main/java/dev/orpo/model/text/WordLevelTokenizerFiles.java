package dev.orpo.model.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a word-level Hugging Face tokenizer ({@code tokenizer.json}: WordLevel model, whitespace pre-tokenizer) and its
 * {@code tokenizer_config.json}: exact control over every id, no download. For synthetic models and tests; the files
 * load with {@link HfTokenizer} as any hub tokenizer does.
 */
public final class WordLevelTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to write.
     *
     * @param vocab         tokens in id order (id = index); must not repeat
     * @param special       tokens of {@code vocab} that are added special tokens (matched whole, skipped on decode)
     * @param spacedDecode  decode with spaces between words (a WordPiece decoder); false: no decoder, as plain ones
     * @param specialTokens tokenizer_config.json's {@code bos_token}, {@code eos_token}, ... (see {@link #tokens})
     * @param chatTemplate  tokenizer_config.json's {@code chat_template}; null for none
     */
    public record Spec(List<String> vocab, Set<String> special, boolean spacedDecode,
                       Map<String, String> specialTokens, String chatTemplate) {
        public Spec {
            vocab = List.copyOf(vocab);
            specialTokens = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
            if (Set.copyOf(vocab).size() != vocab.size()) {
                throw new IllegalArgumentException("vocabulary repeats a token: " + vocab);
            }
            if (!vocab.containsAll(special)) {
                throw new IllegalArgumentException("special tokens missing from the vocabulary: " + special);
            }
            if (!vocab.contains("<unk>")) {
                throw new IllegalArgumentException("the vocabulary needs <unk> (WordLevel's unknown token)");
            }
        }
    }

    private WordLevelTokenizerFiles() {
    }

    /** tokenizer_config.json entries in the order given: {@code tokens("bos_token", "<s>", "eos_token", "</s>")}. */
    public static Map<String, String> tokens(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("tokens(...) takes key, value pairs");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.put(keyValues[i], keyValues[i + 1]);
        }
        return out;
    }

    /** Writes both files into {@code dir} (created if missing); returns it. */
    public static Path write(Path dir, Spec spec) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode ids = JSON.createObjectNode();
        for (int i = 0; i < spec.vocab().size(); i++) {
            String t = spec.vocab().get(i);
            ids.put(t, i);
            if (spec.special().contains(t)) {
                added.addObject().put("id", i).put("content", t).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false).put("special", true);
            }
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        if (spec.spacedDecode()) { // words joined by spaces on decode
            root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
        } else {
            root.putNull("decoder");
        }
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel").put("unk_token", "<unk>");
        model.set("vocab", ids);
        ObjectNode config = JSON.createObjectNode();
        spec.specialTokens().forEach(config::put);
        if (spec.chatTemplate() != null) {
            config.put("chat_template", spec.chatTemplate());
        }
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a word-level tokenizer to " + dir, e);
        }
    }
}
