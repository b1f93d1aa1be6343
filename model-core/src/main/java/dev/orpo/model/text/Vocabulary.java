package dev.orpo.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Token ↔ id tables read from a tokenizer.json: the model vocabulary (BPE/WordPiece map or Unigram list) + added tokens. */
final class Vocabulary {

    private final Map<String, Integer> ids;
    private final String[] tokens;

    private Vocabulary(Map<String, Integer> ids) {
        this.ids = ids;
        int max = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.tokens = new String[max + 1];
        ids.forEach((t, i) -> tokens[i] = t);
    }

    static Vocabulary parse(byte[] tokenizerJson) {
        ObjectNode root = readTree(tokenizerJson);
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ids.put(e.getKey(), e.getValue().asInt());
            }
        } else if (vocab.isArray()) {
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i); // Unigram: [token, score] at index = id
            }
        } else {
            throw new IllegalArgumentException("tokenizer.json has no model.vocab");
        }
        for (JsonNode added : root.path("added_tokens")) {
            ids.put(added.get("content").asText(), added.get("id").asInt());
        }
        return new Vocabulary(ids);
    }

    static ObjectNode readTree(byte[] json) {
        try {
            JsonNode node = TokenizerConfig.JSON.readTree(json);
            if (!(node instanceof ObjectNode obj)) {
                throw new IllegalArgumentException("tokenizer.json is not a JSON object");
            }
            return obj;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse tokenizer.json: " + e.getMessage(), e);
        }
    }

    static byte[] write(ObjectNode root) {
        try {
            return TokenizerConfig.JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    OptionalInt id(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    Optional<String> token(int id) {
        return id >= 0 && id < tokens.length ? Optional.ofNullable(tokens[id]) : Optional.empty();
    }

    /** HF's len(tokenizer): number of distinct ids. */
    int size() {
        return ids.size();
    }
}
