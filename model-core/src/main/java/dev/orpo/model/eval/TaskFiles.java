package dev.orpo.model.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads multiple-choice task files (docs/eval-tasks.md): JSONL, one {@code {"context": str, "choices": [str...],
 * "gold": int}} per line, blank lines skipped. Anything else (unknown field, wrong type, empty choices, gold out of
 * range, invalid JSON) fails naming the file and the 1-based line.
 */
public final class TaskFiles {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("context", "choices", "gold");

    private TaskFiles() {
    }

    /** One task per {@code *.jsonl} file of a directory (sorted by name), or the single file given. */
    public static List<McTask> load(Path fileOrDir) throws IOException {
        if (Files.isDirectory(fileOrDir)) {
            List<McTask> tasks = new ArrayList<>();
            try (Stream<Path> files = Files.list(fileOrDir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                    tasks.add(read(f));
                }
            }
            if (tasks.isEmpty()) {
                throw new IllegalArgumentException(fileOrDir + ": no *.jsonl task files");
            }
            return tasks;
        }
        return List.of(read(fileOrDir));
    }

    /** Reads one task file; the task is named after the file without {@code .jsonl}. */
    public static McTask read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("task file not found: " + file);
        }
        List<McDoc> docs = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    docs.add(parse(line, file + " line " + number));
                }
            }
        }
        if (docs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no questions");
        }
        String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        return new McTask(name, docs);
    }

    static McDoc parse(String line, String where) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException(where + ": expected an object {context, choices, gold}");
        }
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException(where + ": unknown field " + field
                        + " (allowed: context, choices, gold; convert lm-eval exports with LmEvalConverter)");
            }
        }
        JsonNode context = row.get("context");
        if (context == null || !context.isTextual()) {
            throw new IllegalArgumentException(where + ": field context must be a string");
        }
        JsonNode choices = row.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new IllegalArgumentException(where + ": field choices must be a non-empty array of strings");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            if (!choices.get(i).isTextual()) {
                throw new IllegalArgumentException(where + ": field choices[" + i + "] must be a string");
            }
            texts.add(choices.get(i).asText());
        }
        JsonNode gold = row.get("gold");
        if (gold == null || !gold.isIntegralNumber() || !gold.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": field gold must be an integer index into choices");
        }
        if (gold.asInt() < 0 || gold.asInt() >= texts.size()) {
            throw new IllegalArgumentException(where + ": field gold = " + gold.asInt() + " is out of range for "
                    + texts.size() + " choices");
        }
        return new McDoc(context.asText(), texts, gold.asInt());
    }
}
