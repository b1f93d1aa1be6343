package dev.orpo.stages.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.text.ChatmlSetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Hugging Face {@code tokenizer.json}: byte-level BPE exactly as GPT-2 / Llama 3 build it (ByteLevel
 * pre-tokenizer with the GPT-2 split regex, ByteLevel decoder, the 256 byte symbols as the base vocabulary), plus a
 * few merges for the demo text and four special tokens. Special ids come first: 0 {@code <|end_of_text|>} (pad),
 * 1 {@code <|begin_of_text|>} (BOS), 2 {@code <|im_start|>}, 3 {@code <|im_end|>} (EOS, ends every chat turn).
 * {@code tokenizer_config.json} carries the ChatML template.
 */
public final class DemoTokenizer {
    public static final String PAD = "<|end_of_text|>";
    public static final String BOS = "<|begin_of_text|>";
    static final List<String> SPECIALS = List.of(PAD, BOS, ChatmlSetup.IM_START, ChatmlSetup.IM_END);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DemoTokenizer() {
    }

    /**
     * Merges in rank order: a space before each letter of the task's alphabet (so every letter of an answer is one
     * token, as words are in a real vocabulary), then the task's keywords.
     */
    static List<String[]> merges() {
        List<String[]> merges = new ArrayList<>();
        String space = byteSymbol(' ');
        for (char c : DemoTask.ALPHABET.toCharArray()) {
            merges.add(new String[] {space, String.valueOf(c)});
        }
        merges.add(new String[] {"s", "o"});
        merges.add(new String[] {"r", "t"});
        merges.add(new String[] {"so", "rt"});
        merges.add(new String[] {"e", "d"});
        merges.add(new String[] {"sort", "ed"});
        merges.add(new String[] {"u", "s"});
        merges.add(new String[] {"e", "r"});
        merges.add(new String[] {"us", "er"});
        return merges;
    }

    /** Vocabulary size: specials + 256 bytes + one token per merge. */
    public static int size() {
        return SPECIALS.size() + 256 + merges().size();
    }

    public static int id(String special) {
        int i = SPECIALS.indexOf(special);
        if (i < 0) {
            throw new IllegalArgumentException("not a demo special token: " + special);
        }
        return i;
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
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
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", true).put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
                .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
                .put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        int id = 0;
        for (String s : SPECIALS) {
            vocab.put(s, id++);
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(byteSymbol(b), id++);
        }
        ArrayNode mergeList = model.putArray("merges");
        for (String[] m : merges()) {
            vocab.put(m[0] + m[1], id++);
            mergeList.add(m[0] + " " + m[1]);
        }
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", BOS);
        config.put("eos_token", ChatmlSetup.IM_END);
        config.put("pad_token", PAD);
        config.put("model_max_length", DemoAssets.MAX_POSITIONS);
        config.put("clean_up_tokenization_spaces", false);
        config.put("chat_template", ChatmlSetup.CHATML_TEMPLATE);
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /**
     * GPT-2's {@code bytes_to_unicode}: printable bytes (33–126, 161–172, 174–255) stand for themselves, the others
     * map to code points 256, 257, ... in byte order, so every byte is one visible character.
     */
    static String byteSymbol(int b) {
        if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) {
            return String.valueOf((char) b);
        }
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) {
                n++;
            }
        }
        return String.valueOf((char) (256 + n));
    }
}
