package dev.orpo.model.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.text.ChatmlSetup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A 64-entry word-level tokenizer with a ChatML chat template, for the 64-token synthetic and golden models: written
 * as {@code tokenizer.json} + {@code tokenizer_config.json}, so generation can be tested without a download. Ids
 * follow {@link TokenSpace#tiny()}: 0 {@code <pad>}, 1 {@code <s>} (BOS), 2 {@code </s>} (EOS), 3 {@code <sep>},
 * 4–13 the digits; then {@code <unk>}, {@code <|im_start|>}, {@code <|im_end|>} and words. The template does not
 * emit BOS (as ChatML templates do not), so callers that want it put it in front.
 */
public final class SyntheticChatTokenizer {
    /** Special tokens, in id order. */
    public static final List<String> SPECIAL = List.of("<pad>", "<s>", "</s>", "<sep>");
    /** Words after the digits and {@code <unk>}, {@code <|im_start|>}, {@code <|im_end|>}: 64 entries in all. */
    public static final List<String> WORDS = List.of("user", "assistant", "system", "hello", "world", "how", "are",
            "you", "i", "am", "fine", "the", "a", "cat", "dog", "sat", "on", "mat", "is", "red", "blue", "green",
            "sky", "sun", "what", "color", "of", "grass", "snow", "white", "yes", "no", "it", "good", "bad", "day",
            "night", "water", "fire", "tree", "bird", "sort", "digits", "|", "?", "!", ".");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticChatTokenizer() {
    }

    /** Writes the tokenizer files into {@code dir} (created if missing); returns it. */
    public static Path write(Path dir) {
        List<String> vocab = new ArrayList<>(SPECIAL);
        for (int d = 0; d < 10; d++) {
            vocab.add(Integer.toString(d));
        }
        vocab.addAll(List.of("<unk>", ChatmlSetup.IM_START, ChatmlSetup.IM_END));
        vocab.addAll(WORDS);
        if (vocab.size() != 64) {
            throw new IllegalStateException("synthetic vocabulary must have 64 entries, has " + vocab.size());
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode ids = JSON.createObjectNode();
        for (int i = 0; i < vocab.size(); i++) {
            String t = vocab.get(i);
            ids.put(t, i);
            if (t.startsWith("<")) {
                added.addObject().put("id", i).put("content", t).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false).put("special", true);
            }
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        // words joined by spaces on decode
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        model.set("vocab", ids);
        model.put("unk_token", "<unk>");
        ObjectNode config = JSON.createObjectNode();
        config.put("bos_token", "<s>").put("eos_token", "</s>").put("pad_token", "<pad>").put("unk_token", "<unk>");
        config.put("chat_template", ChatmlSetup.CHATML_TEMPLATE);
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic tokenizer to " + dir, e);
        }
        return dir;
    }
}
