package dev.orpo.model.score;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceExample;
import dev.orpo.model.text.PreferenceRows;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text preference rows in JSONL (columns {@code prompt}, {@code chosen}, {@code rejected}, {@code system}), read by the
 * one row parser ({@link PreferenceRows}, the dataset stage's) and tokenized with the model's tokenizer and chat
 * template by TRL's rules ({@link PreferenceTokenizer}). Errors name the file, line and field.
 */
public final class PreferenceTextJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferenceTextJsonl() {
    }

    /** True when the file's first row holds token ids ({@code prompt_ids}) rather than text. */
    public static boolean holdsIds(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                return line.contains("\"prompt_ids\"");
            }
        }
        throw new IllegalArgumentException(file + ": no rows");
    }

    /**
     * The pairs of a JSONL file of either kind: token-id rows ({@link PreferenceIdsJsonl}) as they are, text rows
     * tokenized with the tokenizer (and chat template) in {@code tokenizerDir} by TRL's rules. What {@code orpo score}
     * and {@code orpo eval --pairs} read.
     */
    public static List<PreferencePair> readIdsOrText(Path file, Path tokenizerDir, PreferenceTokenizationConfig config)
            throws IOException {
        if (holdsIds(file)) {
            return PreferenceIdsJsonl.read(file);
        }
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            ChatTemplate template = tokenizer.chatTemplate().isPresent() ? ChatTemplate.of(tokenizer) : null;
            return read(file, new PreferenceTokenizer(tokenizer, template, config));
        }
    }

    /** Reads and tokenizes every row. */
    public static List<PreferencePair> read(Path file, PreferenceTokenizer tokenizer) throws IOException {
        List<PreferencePair> pairs = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            try {
                pairs.add(tokenizer.tokenize(example(lines.get(i), where)).pair());
            } catch (IllegalArgumentException e) {
                throw e.getMessage() != null && e.getMessage().startsWith(where) ? e
                        : new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no rows");
        }
        return pairs;
    }

    static PreferenceExample example(String line, String where) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        PreferenceRows.Parsed parsed = PreferenceRows.parse(row);
        if (parsed.identical()) {
            throw new IllegalArgumentException("chosen and rejected are identical (no preference to score)");
        }
        return parsed.example();
    }
}
