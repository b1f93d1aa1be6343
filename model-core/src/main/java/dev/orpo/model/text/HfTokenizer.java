package dev.orpo.model.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A HF fast tokenizer ({@code tokenizer.json}, run by DJL's native tokenizers binding) plus its
 * {@code tokenizer_config.json}. DJL's defaults are switched off: no truncation (DJL cuts at 512 tokens otherwise), no
 * padding, and no special tokens added unless asked, which is what TRL's {@code add_special_tokens=False} calls need.
 * Token/id lookups use the vocabulary and added tokens read from tokenizer.json, like HF's
 * {@code convert_tokens_to_ids}.
 */
public final class HfTokenizer implements AutoCloseable {

    private static final Map<String, String> DJL_OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final byte[] tokenizerJson;
    private final TokenizerConfig config;
    private final Vocabulary vocab;
    private final HuggingFaceTokenizer native_;

    private HfTokenizer(byte[] tokenizerJson, TokenizerConfig config) {
        this(tokenizerJson, config, Vocabulary.parse(tokenizerJson));
    }

    private HfTokenizer(byte[] tokenizerJson, TokenizerConfig config, Vocabulary vocab) {
        this.tokenizerJson = tokenizerJson;
        this.config = config;
        this.vocab = vocab;
        for (String special : new String[] {config.bosToken(), config.eosToken(), config.padToken()}) {
            if (special != null && vocab.id(special).isEmpty()) {
                throw new IllegalArgumentException("special token " + special + " from tokenizer_config.json is not "
                        + "in tokenizer.json");
            }
        }
        try {
            this.native_ = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), DJL_OPTIONS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer.json: " + e.getMessage(), e);
        }
    }

    /** Loads {@code dir/tokenizer.json} and, when present, {@code dir/tokenizer_config.json}. */
    public static HfTokenizer load(Path dir) throws IOException {
        Path config = dir.resolve("tokenizer_config.json");
        return load(dir.resolve("tokenizer.json"), Files.exists(config) ? config : null);
    }

    /** @param tokenizerConfigJson may be null: no special tokens, no chat template */
    public static HfTokenizer load(Path tokenizerJson, Path tokenizerConfigJson) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IOException("tokenizer file not found: " + tokenizerJson);
        }
        TokenizerConfig config = tokenizerConfigJson == null ? TokenizerConfig.empty()
                : TokenizerConfig.read(tokenizerConfigJson);
        return new HfTokenizer(Files.readAllBytes(tokenizerJson), config);
    }

    /** Token ids of {@code text}, special tokens written in the text parsed as such, none added. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /** @param addSpecialTokens run the tokenizer's post-processor (e.g. a BOS template) */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = native_.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return native_.decode(Arrays.stream(ids).asLongStream().toArray(), skipSpecialTokens);
    }

    /** The id of a token string as it appears in the vocabulary (byte-level form, e.g. "Ġthe"). */
    public OptionalInt tokenToId(String token) {
        return vocab.id(token);
    }

    public Optional<String> idToToken(int id) {
        return vocab.token(id);
    }

    /** HF's {@code len(tokenizer)}: base vocabulary plus added tokens. */
    public int size() {
        return vocab.size();
    }

    public TokenizerConfig config() {
        return config;
    }

    public String bosToken() {
        return config.bosToken();
    }

    public String eosToken() {
        return config.eosToken();
    }

    public String padToken() {
        return config.padToken();
    }

    public OptionalInt bosTokenId() {
        return config.bosToken() == null ? OptionalInt.empty() : vocab.id(config.bosToken());
    }

    public OptionalInt eosTokenId() {
        return config.eosToken() == null ? OptionalInt.empty() : vocab.id(config.eosToken());
    }

    public OptionalInt padTokenId() {
        return config.padToken() == null ? OptionalInt.empty() : vocab.id(config.padToken());
    }

    /** The default chat template ({@code tokenizer.chat_template}). */
    public Optional<String> chatTemplate() {
        return config.chatTemplate();
    }

    /**
     * A new tokenizer with {@code tokens} registered as special added tokens (ids from {@link #size()} on), as HF's
     * {@code add_special_tokens} does; tokens already known keep their id.
     */
    public HfTokenizer withAddedSpecialTokens(List<String> tokens) {
        ObjectNode root = Vocabulary.readTree(tokenizerJson);
        ArrayNode added = root.withArray("added_tokens");
        ObjectNode rawConfig = config.raw().deepCopy();
        ArrayNode extra = rawConfig.withArray("additional_special_tokens");
        ObjectNode decoder = rawConfig.with("added_tokens_decoder");
        int next = size();
        for (String token : tokens) {
            if (vocab.id(token).isPresent()) {
                continue;
            }
            ObjectNode entry = added.addObject();
            entry.put("id", next).put("content", token).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
            ObjectNode dec = decoder.putObject(Integer.toString(next));
            dec.put("content", token).put("lstrip", false).put("normalized", false).put("rstrip", false)
                    .put("single_word", false).put("special", true);
            extra.add(token);
            next++;
        }
        TokenizerConfig newConfig = TokenizerConfig.parse(rawConfig, "tokenizer_config.json");
        return new HfTokenizer(Vocabulary.write(root), newConfig);
    }

    /** A new tokenizer (same vocabulary) with these special tokens and chat template; null template removes it. */
    public HfTokenizer withConfig(String bos, String eos, String pad, String chatTemplate) {
        return new HfTokenizer(tokenizerJson, config.with(bos, eos, pad, chatTemplate), vocab);
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("tokenizer.json"), tokenizerJson);
        TokenizerConfig.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(),
                config.raw());
    }

    /** SHA-256 (hex) over tokenizer.json and the config JSON: identifies the exact tokenizer used for a dataset. */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(tokenizerJson);
            sha.update(TokenizerConfig.JSON.writeValueAsString(config.raw()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        native_.close();
    }

}
