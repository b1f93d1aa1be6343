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
 * Reads our own task files (docs/eval-tasks.md): JSONL, blank lines skipped, every line of a file of one kind:
 * multiple choice {@code {"context": str, "choices": [str...], "gold": int}} or generation
 * {@code {"prompt": str, "target": str}}. Anything else (unknown field, wrong type, empty choices, gold out of range,
 * a mix of kinds, invalid JSON) fails naming the file and the 1-based line.
 */
public final class TaskFiles {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CHOICE_FIELDS = Set.of("context", "choices", "gold");
    private static final Set<String> GENERATION_FIELDS = Set.of("prompt", "target");

    private TaskFiles() {
    }

    /** One task per {@code *.jsonl} file of a directory (sorted by name), or the single file given. */
    public static List<EvalTask> load(Path fileOrDir) throws IOException {
        if (Files.isDirectory(fileOrDir)) {
            List<EvalTask> tasks = new ArrayList<>();
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
    public static EvalTask read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("task file not found: " + file);
        }
        List<Question> questions = new ArrayList<>();
        List<GenerationTask.Item> items = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + " line " + number;
                JsonNode row = object(line, where);
                if (row.has("prompt") || row.has("target")) {
                    items.add(generation(row, where));
                } else {
                    questions.add(choice(row, where));
                }
                if (!questions.isEmpty() && !items.isEmpty()) {
                    throw new IllegalArgumentException(where + ": a task file holds either multiple-choice rows "
                            + "{context, choices, gold} or generation rows {prompt, target}, not both");
                }
            }
        }
        String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
        if (!items.isEmpty()) {
            return new GenerationTask(name, items);
        }
        if (questions.isEmpty()) {
            throw new IllegalArgumentException(file + ": no questions");
        }
        return ChoiceTask.ofFile(name, questions);
    }

    private static JsonNode object(String line, String where) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException(where + ": expected an object {context, choices, gold} or "
                    + "{prompt, target}");
        }
        return row;
    }

    private static void onlyFields(JsonNode row, Set<String> allowed, String where) {
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new IllegalArgumentException(where + ": unknown field " + field + " (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + "; hub datasets of lm-eval tasks "
                        + "are read with --suite, not as task files)");
            }
        }
    }

    static Question choice(JsonNode row, String where) {
        onlyFields(row, CHOICE_FIELDS, where);
        String context = string(row, "context", where);
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
        return Question.of(context, texts, gold.asInt());
    }

    static GenerationTask.Item generation(JsonNode row, String where) {
        onlyFields(row, GENERATION_FIELDS, where);
        return new GenerationTask.Item(string(row, "prompt", where), string(row, "target", where));
    }

    private static String string(JsonNode row, String field, String where) {
        JsonNode v = row.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": field " + field + " must be a string");
        }
        return v.asText();
    }
}
