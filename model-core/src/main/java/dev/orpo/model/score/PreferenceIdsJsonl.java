package dev.orpo.model.score;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.orpo.PreferencePair;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads already-tokenized preference rows, one JSON object per line:
 * {@code {"prompt_ids":[...],"chosen_ids":[...],"rejected_ids":[...]}} → {@link PreferencePair#ofIds}. Blank lines
 * are skipped; any other bad line fails with its 1-based line number and the offending field.
 */
public final class PreferenceIdsJsonl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferenceIdsJsonl() {
    }

    /** Reads every row of {@code file}. */
    public static List<PreferencePair> read(Path file) throws IOException {
        List<PreferencePair> pairs = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    pairs.add(parse(line, number, file));
                }
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no rows");
        }
        return pairs;
    }

    /** Parses one line; {@code number} and {@code file} only label errors. */
    static PreferencePair parse(String line, int number, Path file) {
        String where = file + " line " + number;
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object with prompt_ids, chosen_ids, "
                    + "rejected_ids");
        }
        int[] prompt = ids(row, "prompt_ids", where, true);
        int[] chosen = ids(row, "chosen_ids", where, false);
        int[] rejected = ids(row, "rejected_ids", where, false);
        try {
            return PreferencePair.ofIds(prompt, chosen, rejected);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static int[] ids(JsonNode row, String field, String where, boolean mayBeEmpty) {
        JsonNode array = row.get(field);
        if (array == null || array.isNull()) {
            throw new IllegalArgumentException(where + ": field " + field + " is missing");
        }
        if (!array.isArray()) {
            throw new IllegalArgumentException(where + ": field " + field + " must be an array of token ids");
        }
        if (array.isEmpty() && !mayBeEmpty) {
            throw new IllegalArgumentException(where + ": field " + field + " is empty");
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
                throw new IllegalArgumentException(where + ": field " + field + "[" + i + "] = " + id
                        + " is not a token id (integer >= 0)");
            }
            out[i] = id.asInt();
        }
        return out;
    }
}
