package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.orpo.contracts.Json;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The request a local stage command ({@code orpo prepare}, {@code orpo train}) runs with: {@code --config FILE} (or
 * every default), the command's own model and data, then each {@code --set KEY=VALUE}, validated as a whole by the
 * request's rules, so a local run and the pipeline accept exactly the same settings.
 */
final class LocalRequest {
    private LocalRequest() {
    }

    /**
     * @param qualify maps a {@code --set} key to its dotted wire path (e.g. {@code r} → {@code lora.r})
     * @throws dev.orpo.contracts.request.InvalidRequestException naming every bad field
     */
    static TrainingRequest of(Path config, String model, String datasetUri, List<String> sets,
                              UnaryOperator<String> qualify) throws IOException {
        TrainingRequest base = config == null
                ? new TrainingRequest(ModelSpec.of(model), DatasetSpec.of(datasetUri), null, null, null, null, null,
                null)
                : RequestParser.parseFile(config);
        ObjectNode tree = (ObjectNode) Json.mapper().valueToTree(base);
        set(tree, "model.name_or_path", model);
        set(tree, "dataset.uri", datasetUri);
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
            }
            set(tree, qualify.apply(kv.substring(0, eq).trim()), kv.substring(eq + 1).trim());
        }
        return RequestParser.parse(Json.toJson(tree), false);
    }

    /** Sets a dotted path; the value is read as JSON, else as YAML ({@code [q_proj, v_proj]}), else taken as text. */
    private static void set(ObjectNode root, String path, String value) {
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
        node.set(parts[parts.length - 1], parse(value));
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
