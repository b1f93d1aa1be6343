package dev.orpo.contracts.request;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.orpo.contracts.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a request from JSON or YAML and validates it. Unknown fields (typos) are errors that name the field, and
 * every problem is reported at once in an {@link InvalidRequestException}.
 */
public final class RequestParser {
    private RequestParser() {
    }

    public static TrainingRequest parseFile(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        return parse(Files.readString(file), yaml);
    }

    /** Parses and validates; throws {@link InvalidRequestException} listing every bad field. */
    public static TrainingRequest parse(String text, boolean yaml) {
        List<FieldError> errors = new ArrayList<>();
        ObjectMapper mapper = (yaml ? Json.yaml() : Json.mapper()).copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addHandler(new DeserializationProblemHandler() {
                    @Override
                    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                                                         JsonDeserializer<?> deserializer, Object bean, String name)
                            throws IOException {
                        errors.add(new FieldError(path(p, name), "unknown field"));
                        p.skipChildren();
                        return true;
                    }
                });
        TrainingRequest request;
        try {
            request = mapper.readValue(text, TrainingRequest.class);
        } catch (MismatchedInputException e) {
            errors.add(new FieldError(pathOf(e), "wrong type: " + e.getOriginalMessage()));
            throw new InvalidRequestException(errors);
        } catch (JsonProcessingException e) {
            errors.add(new FieldError("", "not valid " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage()));
            throw new InvalidRequestException(errors);
        }
        errors.addAll(RequestValidator.validate(request));
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return request;
    }

    private static String path(JsonParser p, String name) {
        var ctx = p.getParsingContext();
        var parts = new ArrayList<String>();
        parts.add(name);
        for (var c = ctx.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.getCurrentName() != null) {
                parts.add(0, c.getCurrentName());
            }
        }
        return String.join(".", parts);
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
