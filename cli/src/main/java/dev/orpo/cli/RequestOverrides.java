package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.orpo.contracts.Json;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;

import java.io.IOException;
import java.util.List;

/**
 * The {@code --set KEY=VALUE} options of the commands that take a request: a field by its dotted wire name
 * ({@code dataset.select=100}, {@code model.name_or_path=s3://...}); the value is read as JSON (numbers, true/false,
 * null, lists) or else taken as text. The result is parsed again, so an unknown field or bad value is an error.
 */
final class RequestOverrides {
    private RequestOverrides() {
    }

    /** {@code base} with each {@code KEY=VALUE} applied in order. */
    static TrainingRequest apply(TrainingRequest base, List<String> overrides) {
        ObjectNode tree = Json.mapper().valueToTree(base);
        for (String kv : overrides) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
            }
            set(tree, kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return RequestParser.parse(Json.toJson(tree), false);
    }

    /** Sets a dotted path in a request's JSON tree. */
    static void set(ObjectNode root, String path, String value) {
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
        JsonNode parsed;
        try {
            parsed = Json.mapper().readTree(value);
        } catch (IOException e) {
            parsed = null;
        }
        node.set(parts[parts.length - 1], parsed == null || parsed.isMissingNode() ? TextNode.valueOf(value) : parsed);
    }
}
