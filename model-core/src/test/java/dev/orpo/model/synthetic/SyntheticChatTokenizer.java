package dev.orpo.model.synthetic;

import dev.orpo.model.text.ChatmlSetup;
import dev.orpo.model.text.WordLevelTokenizerFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
        Set<String> special = new LinkedHashSet<>();
        vocab.stream().filter(t -> t.startsWith("<")).forEach(special::add);
        WordLevelTokenizerFiles.write(dir, new WordLevelTokenizerFiles.Spec(vocab, special, true,
                WordLevelTokenizerFiles.tokens("bos_token", "<s>", "eos_token", "</s>", "pad_token", "<pad>",
                        "unk_token", "<unk>"), ChatmlSetup.CHATML_TEMPLATE));
        return dir;
    }
}
