package dev.orpo.model.score;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.PreferenceExample;
import dev.orpo.model.text.PreferenceTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text preference rows in JSONL, tokenized with the model's tokenizer and chat template by TRL's rules
 * ({@link PreferenceTokenizer}). A row is one of:
 * <ul>
 *   <li>{@code {"chosen": [messages], "rejected": [messages]}}: message lists sharing the prompt turns
 *       (orpo-dpo-mix-40k); the common prefix is the prompt</li>
 *   <li>{@code {"prompt": [messages] | "text", "chosen": "answer", "rejected": "answer"}}: a string prompt is one user
 *       turn</li>
 *   <li>{@code {"prompt": [messages], "chosen": [messages], "rejected": [messages]}}: explicit completion turns</li>
 * </ul>
 * Messages are {@code {"role": ..., "content": ...}}. Errors name the file, line and field.
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
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object with chosen and rejected");
        }
        JsonNode prompt = row.get("prompt");
        JsonNode chosen = required(row, "chosen", where);
        JsonNode rejected = required(row, "rejected", where);
        boolean noPrompt = prompt == null || prompt.isNull();
        if (noPrompt && chosen.isArray() && rejected.isArray()) {
            return PreferenceExample.sharedPrompt(messages(chosen, "chosen", where),
                    messages(rejected, "rejected", where));
        }
        if (noPrompt) {
            throw new IllegalArgumentException(where + ": field prompt is missing (needed unless chosen and rejected"
                    + " are message lists sharing the prompt turns)");
        }
        List<ChatMessage> turns = prompt.isTextual() ? List.of(ChatMessage.user(prompt.asText()))
                : messages(prompt, "prompt", where);
        if (chosen.isTextual() && rejected.isTextual()) {
            return PreferenceExample.conversation(turns, chosen.asText(), rejected.asText());
        }
        return new PreferenceExample.Conversation(turns, messages(chosen, "chosen", where),
                messages(rejected, "rejected", where));
    }

    private static JsonNode required(JsonNode row, String field, String where) {
        JsonNode value = row.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(where + ": field " + field + " is missing");
        }
        if (!value.isTextual() && !value.isArray()) {
            throw new IllegalArgumentException(where + ": field " + field + " must be a string or a message list");
        }
        return value;
    }

    private static List<ChatMessage> messages(JsonNode array, String field, String where) {
        if (!array.isArray()) {
            throw new IllegalArgumentException(where + ": field " + field + " must be a message list");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new IllegalArgumentException(where + ": field " + field + "[" + i
                        + "] must be {\"role\": string, \"content\": string}");
            }
            out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        return out;
    }
}
