package dev.orpo.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a HF {@code tokenizer_config.json} that tokenization needs: the special token strings (a token may be
 * written as a string or as an AddedToken object {@code {"content": ...}}) and the chat template(s). A template is
 * either one string (stored under {@link #DEFAULT_TEMPLATE}) or a list of {@code {"name", "template"}} entries.
 * The raw JSON is kept so that a changed config can be written back with every other key intact.
 */
public record TokenizerConfig(String bosToken, String eosToken, String padToken, String unkToken,
                              Map<String, String> chatTemplates, ObjectNode raw) {

    /** Name HF gives a template stored as a single string. */
    public static final String DEFAULT_TEMPLATE = "default";
    static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerConfig {
        chatTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates));
        raw = raw == null ? JSON.createObjectNode() : raw.deepCopy();
    }

    /** An empty config: no special tokens, no template (what a missing tokenizer_config.json means). */
    public static TokenizerConfig empty() {
        return new TokenizerConfig(null, null, null, null, Map.of(), null);
    }

    public static TokenizerConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof ObjectNode obj)) {
            throw new IOException(file + " is not a JSON object");
        }
        return parse(obj, file.toString());
    }

    static TokenizerConfig parse(ObjectNode obj, String origin) {
        Map<String, String> templates = new LinkedHashMap<>();
        JsonNode t = obj.get("chat_template");
        if (t != null && t.isTextual()) {
            templates.put(DEFAULT_TEMPLATE, t.asText());
        } else if (t != null && t.isArray()) {
            for (JsonNode entry : t) {
                if (!entry.hasNonNull("name") || !entry.hasNonNull("template")) {
                    throw new IllegalArgumentException(origin + ": chat_template list entries need name and template");
                }
                templates.put(entry.get("name").asText(), entry.get("template").asText());
            }
        } else if (t != null && !t.isNull()) {
            throw new IllegalArgumentException(origin + ": chat_template must be a string or a list, got " + t.getNodeType());
        }
        return new TokenizerConfig(token(obj, "bos_token", origin), token(obj, "eos_token", origin),
                token(obj, "pad_token", origin), token(obj, "unk_token", origin), templates, obj);
    }

    private static String token(ObjectNode obj, String key, String origin) {
        JsonNode n = obj.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.hasNonNull("content")) {
            return n.get("content").asText();
        }
        throw new IllegalArgumentException(origin + ": " + key + " must be a string or {\"content\": ...}");
    }

    /** The template used when none is named: the single string, or the entry named "default". */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplates.get(DEFAULT_TEMPLATE));
    }

    public Optional<String> chatTemplate(String name) {
        return Optional.ofNullable(chatTemplates.get(name));
    }

    /** A copy with the given special tokens and single template (null template removes it). */
    public TokenizerConfig with(String bos, String eos, String pad, String template) {
        ObjectNode copy = raw.deepCopy();
        putOrRemove(copy, "bos_token", bos);
        putOrRemove(copy, "eos_token", eos);
        putOrRemove(copy, "pad_token", pad);
        putOrRemove(copy, "chat_template", template);
        Map<String, String> templates = template == null ? Map.of() : Map.of(DEFAULT_TEMPLATE, template);
        return new TokenizerConfig(bos, eos, pad, unkToken, templates, copy);
    }

    private static void putOrRemove(ObjectNode node, String key, String value) {
        if (value == null) {
            node.remove(key);
        } else {
            node.put(key, value);
        }
    }
}
