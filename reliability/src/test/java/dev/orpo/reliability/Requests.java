package dev.orpo.reliability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.contracts.json.Json;

import java.util.Iterator;
import java.util.Map;

/** Request YAML with overrides: objects merge key by key, anything else is replaced. */
final class Requests {
    private Requests() {
    }

    static String merge(String baseYaml, String overridesYaml) {
        try {
            JsonNode base = Json.yaml().readTree(baseYaml);
            if (overridesYaml != null && !overridesYaml.isBlank()) {
                merge((ObjectNode) base, Json.yaml().readTree(overridesYaml));
            }
            return Json.yaml().writeValueAsString(base);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad request YAML: " + e.getOriginalMessage(), e);
        }
    }

    private static void merge(ObjectNode base, JsonNode overrides) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = base.get(e.getKey());
            if (current instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }
}
