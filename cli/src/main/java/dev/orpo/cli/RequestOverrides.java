package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The {@code --set KEY=VALUE} options of the commands that take a request: a field by its dotted wire name
 * ({@code dataset.select=100}, {@code model.name_or_path=s3://...}); the value is read as JSON (numbers, true/false,
 * null, lists), else as YAML ({@code [q_proj, v_proj]}), else taken as text. The result is parsed again as a whole,
 * so an unknown field or bad value is an error naming the field.
 */
final class RequestOverrides {
    private RequestOverrides() {
    }

    /** {@code base} with each {@code KEY=VALUE} applied in order. */
    static TrainingRequest apply(TrainingRequest base, List<String> overrides) {
        return apply(base, Map.of(), overrides, UnaryOperator.identity());
    }

    /**
     * {@code base} with the text fields {@code texts} (dotted path → value taken as is, e.g. a command's model path),
     * then each {@code KEY=VALUE} of {@code overrides} applied in order.
     *
     * @param qualify maps a {@code --set} key to its dotted wire path (e.g. {@code r} → {@code lora.r})
     */
    static TrainingRequest apply(TrainingRequest base, Map<String, String> texts, List<String> overrides,
                                 UnaryOperator<String> qualify) {
        ObjectNode tree = Json.mapper().valueToTree(base);
        texts.forEach((path, value) -> set(tree, path, TextNode.valueOf(value)));
        for (String kv : overrides) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
            }
            set(tree, qualify.apply(kv.substring(0, eq).trim()), parse(kv.substring(eq + 1).trim()));
        }
        return RequestParser.parse(Json.toJson(tree), false);
    }

    /** Sets a dotted path in a request's JSON tree, creating its sections. */
    private static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child == null || child.isNull()) {
                child = node.putObject(parts[i]);
            }
            if (!child.isObject()) {
                throw new IllegalArgumentException("--set " + path + ": " + parts[i] + " is not a section");
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], value);
    }

    private static JsonNode parse(String value) {
        for (var mapper : List.of(Json.mapper(), Json.yaml())) {
            try {
                JsonNode parsed = mapper.readTree(value);
                if (parsed != null && !parsed.isMissingNode()) {
                    return parsed;
                }
            } catch (IOException e) {
                // not this syntax: try the next
            }
        }
        return TextNode.valueOf(value);
    }
}
