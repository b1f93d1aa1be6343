package dev.orpo.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts lm-eval-style JSONL exports into task files: the context from {@code query}, {@code question},
 * {@code context} or {@code ctx}; {@code choices} as a list of strings or an object {@code {"text": [...],
 * "label": [...]}} (ARC); the gold from {@code gold}, {@code label}, {@code answer} or {@code answerKey} as an index,
 * a digit string, a label from {@code choices.label}, or a letter A, B, … Other fields are dropped.
 */
public final class LmEvalConverter {
    private LmEvalConverter() {
    }

    /** Converts every line of {@code in} into {@code out}; returns the number of questions written. */
    public static int convert(Path in, Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    lines.add(TaskFiles.JSON.writeValueAsString(convertLine(line, in + " line " + number)));
                }
            }
        }
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                writer.write(l);
                writer.write('\n');
            }
        }
        return lines.size();
    }

    static ObjectNode convertLine(String line, String where) {
        JsonNode row;
        try {
            row = TaskFiles.JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode context = first(row, "query", "question", "context", "ctx");
        if (context == null || !context.isTextual()) {
            throw new IllegalArgumentException(where + ": no string query/question/context/ctx field");
        }
        JsonNode choices = row.get("choices");
        JsonNode labels = null;
        if (choices != null && choices.isObject()) {
            labels = choices.get("label");
            choices = choices.get("text");
        }
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new IllegalArgumentException(where + ": choices must be a non-empty list (or {text, label})");
        }
        JsonNode gold = first(row, "gold", "label", "answer", "answerKey");
        if (gold == null) {
            throw new IllegalArgumentException(where + ": no gold/label/answer/answerKey field");
        }
        ObjectNode out = TaskFiles.JSON.createObjectNode();
        out.put("context", context.asText());
        out.set("choices", choices);
        out.put("gold", goldIndex(gold, labels, choices.size(), where));
        TaskFiles.parse(out.toString(), where); // the converted line must be a valid task line
        return out;
    }

    private static int goldIndex(JsonNode gold, JsonNode labels, int choices, String where) {
        if (gold.isIntegralNumber()) {
            return gold.asInt();
        }
        String g = gold.asText().strip();
        if (labels != null && labels.isArray()) {
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i).asText().equals(g)) {
                    return i;
                }
            }
        }
        if (g.matches("\\d+")) {
            return Integer.parseInt(g);
        }
        if (g.length() == 1 && g.charAt(0) >= 'A' && g.charAt(0) < 'A' + choices) {
            return g.charAt(0) - 'A';
        }
        throw new IllegalArgumentException(where + ": cannot read gold answer " + gold);
    }

    private static JsonNode first(JsonNode row, String... names) {
        for (String n : names) {
            if (row.hasNonNull(n)) {
                return row.get(n);
            }
        }
        return null;
    }
}
