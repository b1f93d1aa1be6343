package dev.orpo.model.eval.lmeval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Typed reads of a hub row's fields; each failure names the field and what it holds. */
final class Fields {
    private Fields() {
    }

    static JsonNode field(JsonNode row, String name) {
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException("expected an object, got " + kind(row));
        }
        JsonNode v = row.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field " + name + " is missing");
        }
        return v;
    }

    static String text(JsonNode row, String name) {
        JsonNode v = field(row, name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field " + name + " must be a string, got " + kind(v));
        }
        return v.asText();
    }

    static List<String> texts(JsonNode row, String name) {
        JsonNode v = field(row, name);
        if (!v.isArray()) {
            throw new IllegalArgumentException("field " + name + " must be a list of strings, got " + kind(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new IllegalArgumentException("field " + name + "[" + i + "] must be a string, got "
                        + kind(v.get(i)));
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    /** An integer, or a string of digits (hub schemas store some labels as strings, e.g. HellaSwag's). */
    static int integer(JsonNode row, String name) {
        JsonNode v = field(row, name);
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.asInt();
        }
        if (v.isTextual() && v.asText().strip().matches("\\d{1,9}")) {
            return Integer.parseInt(v.asText().strip());
        }
        throw new IllegalArgumentException("field " + name + " must be an integer, got " + kind(v));
    }

    static List<Integer> integers(JsonNode row, String name) {
        JsonNode v = field(row, name);
        if (!v.isArray()) {
            throw new IllegalArgumentException("field " + name + " must be a list of integers, got " + kind(v));
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) {
                throw new IllegalArgumentException("field " + name + "[" + i + "] must be an integer, got "
                        + kind(v.get(i)));
            }
            out.add(v.get(i).asInt());
        }
        return out;
    }

    /** The index of {@code value} in a list field, or an error naming both. */
    static int indexIn(List<String> list, String value, String what) {
        int i = list.indexOf(value);
        if (i < 0) {
            throw new IllegalArgumentException(what + " '" + value + "' is not one of " + list);
        }
        return i;
    }

    static String kind(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        String s = v.toString();
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + (s.length() > 60
                ? s.substring(0, 57) + "..." : s);
    }
}
