package dev.orpo.contracts.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.orpo.contracts.json.Json;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a request from JSON or YAML and validates it. Unknown fields (typos) are errors that name the field with its
 * full path, and every problem is reported at once in an {@link InvalidRequestException}.
 *
 * <p>Unknown fields are found by walking the document against the request's record types (rather than with a Jackson
 * problem handler, whose parser position is already elsewhere when records are built through their constructors).
 */
public final class RequestParser {
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private RequestParser() {
    }

    public static TrainingRequest parseFile(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        return parse(Files.readString(file), yaml);
    }

    /** Parses and validates; throws {@link InvalidRequestException} listing every bad field. */
    public static TrainingRequest parse(String text, boolean yaml) {
        ObjectMapper mapper = yaml ? Json.yaml() : Json.mapper();
        List<FieldError> errors = new ArrayList<>();
        JsonNode tree;
        try {
            tree = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(List.of(
                    new FieldError("", "not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage())));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new InvalidRequestException(List.of(new FieldError("", "request is empty")));
        }
        if (!tree.isObject()) {
            throw new InvalidRequestException(List.of(new FieldError("", "must be a mapping of sections")));
        }
        unknownFields(tree, TrainingRequest.class, "", errors);
        TrainingRequest request;
        try {
            request = mapper.treeToValue(tree, TrainingRequest.class);
        } catch (MismatchedInputException e) {
            errors.add(new FieldError(pathOf(e), "wrong type: " + e.getOriginalMessage()));
            throw new InvalidRequestException(errors);
        } catch (JsonProcessingException e) {
            errors.add(new FieldError("", "cannot read request: " + e.getOriginalMessage()));
            throw new InvalidRequestException(errors);
        }
        errors.addAll(RequestValidator.validate(request));
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return request;
    }

    /** Reports every key of {@code node} that is not a (snake_case) component of {@code type}, recursing into records. */
    private static void unknownFields(JsonNode node, Class<?> type, String prefix, List<FieldError> errors) {
        if (!node.isObject() || !type.isRecord()) {
            return;
        }
        Map<String, RecordComponent> known = new java.util.HashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            known.put(SNAKE.translate(c.getName()), c);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            RecordComponent component = known.get(field.getKey());
            if (component == null) {
                errors.add(new FieldError(path, "unknown field"));
            } else {
                unknownFields(field.getValue(), component.getType(), path, errors);
            }
        }
    }

    private static String pathOf(MismatchedInputException e) {
        var sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
