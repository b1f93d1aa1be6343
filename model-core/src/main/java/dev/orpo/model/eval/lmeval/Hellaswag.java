package dev.orpo.model.eval.lmeval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.eval.Question;

import java.util.List;
import java.util.Locale;

import static dev.orpo.model.eval.lmeval.Fields.integer;
import static dev.orpo.model.eval.lmeval.Fields.text;
import static dev.orpo.model.eval.lmeval.Fields.texts;

/** HellaSwag's process_docs: the query and each ending pass through {@link #preprocess}. */
final class Hellaswag {
    private Hellaswag() {
    }

    /** query = preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b)), choices = preprocess(endings). */
    static Question question(JsonNode row) {
        String ctx = text(row, "ctx_a") + " " + capitalize(text(row, "ctx_b"));
        List<String> endings = texts(row, "endings").stream().map(Hellaswag::preprocess).toList();
        return Question.of(preprocess(text(row, "activity_label") + ": " + ctx), endings, integer(row, "label"));
    }

    /**
     * Strips, turns WikiHow's " [title]" into ". ", deletes other [bracketed] text (shortest match, within a line),
     * then replaces each pair of spaces by one (one pass, as Python's str.replace).
     */
    static String preprocess(String text) {
        String s = text.strip();
        s = s.replace(" [title]", ". ");
        s = s.replaceAll("\\[.*?\\]", "");
        return s.replace("  ", " ");
    }

    /** Python's str.capitalize: the first character in title case, the rest in lower case. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int width = Character.charCount(first);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(s.substring(width).toLowerCase(Locale.ROOT)).toString();
    }
}
