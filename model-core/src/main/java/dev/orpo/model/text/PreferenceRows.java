package dev.orpo.model.text;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The one reading of a preference row, used by {@code orpo prepare} / dataset-service, {@code orpo score},
 * {@code orpo train --data} and {@code orpo eval --pairs}. Columns arrive as JSON (a string, a {@code {role, content}}
 * list, or null when absent). TRL's {@code maybe_extract_prompt}, then one convenience of ours:
 * <ul>
 *   <li>{@code chosen}/{@code rejected} message lists with a message-list {@code prompt}: the prompt turns, then the
 *   completion turns as given (TRL keeps an explicit prompt of the same kind);</li>
 *   <li>{@code chosen}/{@code rejected} message lists without a prompt, or with a string prompt (orpo-dpo-mix-40k: its
 *   {@code prompt} column repeats the user turn the lists already hold): the longest shared leading turns are the
 *   prompt (TRL's {@code extract_prompt}) and a string prompt is ignored, as TRL does when the kinds differ;</li>
 *   <li>{@code chosen}/{@code rejected} strings without a prompt (Anthropic-HH transcripts): the common prefix is the
 *   prompt and the texts are used as written, no chat template (TRL's standard format);</li>
 *   <li>{@code chosen}/{@code rejected} strings with a prompt (a string, or a message list): the prompt turn(s) (a
 *   string is one user turn) and one assistant answer each, templated. <b>≠ TRL</b>, which would concatenate the raw
 *   strings (or, for a list prompt, ignore it): an instruct run whose answers follow an untemplated prompt would learn a
 *   format the model never sees when chatting. Drop the prompt column to have TRL's raw concatenation.</li>
 * </ul>
 * A {@code system} value is prepended as a system turn to conversational rows (unless the prompt starts with one).
 * Errors are {@link IllegalArgumentException}s naming the field, e.g. {@code chosen[1].content is missing or not a
 * string}.
 */
public final class PreferenceRows {

    private PreferenceRows() {
    }

    /**
     * A parsed row and its raw sizes (characters of message contents) for length filters.
     *
     * @param example   what to tokenize; null when {@code identical}
     * @param identical chosen equals rejected (no preference signal): callers drop, reject or refuse such rows
     */
    public record Parsed(PreferenceExample example, int promptChars, int chosenChars, int rejectedChars,
                         boolean identical) {
    }

    /** A JSON object row with the default column names {@code prompt}, {@code chosen}, {@code rejected}, {@code system}. */
    public static Parsed parse(JsonNode row) {
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with chosen and rejected");
        }
        return parse(row.get("prompt"), row.get("chosen"), row.get("rejected"), row.get("system"));
    }

    /** One row from its columns; any of them may be null or a JSON null when absent. */
    public static Parsed parse(JsonNode prompt, JsonNode chosen, JsonNode rejected, JsonNode system) {
        if (absent(chosen) || absent(rejected)) {
            throw new IllegalArgumentException((absent(chosen) ? "chosen" : "rejected") + " is missing");
        }
        boolean identical = chosen.equals(rejected);
        if (chosen.isArray() && rejected.isArray()) {
            List<ChatMessage> c = messages("chosen", chosen);
            List<ChatMessage> r = messages("rejected", rejected);
            if (identical) {
                return new Parsed(null, 0, chars(c), chars(r), true);
            }
            PreferenceExample.Conversation conv = !absent(prompt) && prompt.isArray()
                    ? new PreferenceExample.Conversation(messages("prompt", prompt), c, r)
                    : PreferenceExample.sharedPrompt(c, r);
            conv = conv.withSystem(text("system", system));
            return new Parsed(conv, chars(conv.prompt()), chars(conv.chosen()), chars(conv.rejected()), false);
        }
        if (!chosen.isTextual() || !rejected.isTextual()) {
            throw new IllegalArgumentException("chosen and rejected must both be strings or both message lists");
        }
        String c = chosen.asText();
        String r = rejected.asText();
        if (identical) {
            return new Parsed(null, 0, c.length(), r.length(), true);
        }
        if (absent(prompt)) {
            PreferenceExample.Plain plain = PreferenceExample.sharedPrompt(c, r);
            return new Parsed(plain, plain.prompt().length(), plain.chosen().length(), plain.rejected().length(),
                    false);
        }
        List<ChatMessage> turns = prompt.isArray() ? messages("prompt", prompt)
                : List.of(ChatMessage.user(requireText("prompt", prompt)));
        PreferenceExample.Conversation conv = PreferenceExample.conversation(turns, c, r)
                .withSystem(text("system", system));
        return new Parsed(conv, chars(conv.prompt()), c.length(), r.length(), false);
    }

    private static List<ChatMessage> messages(String field, JsonNode list) {
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual()) {
                throw new IllegalArgumentException(field + "[" + i + "].role is missing or not a string");
            }
            if (content == null || !content.isTextual()) {
                throw new IllegalArgumentException(field + "[" + i + "].content is missing or not a string");
            }
            out.add(new ChatMessage(role.asText(), content.asText()));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(field + " has no messages");
        }
        return out;
    }

    private static String requireText(String field, JsonNode node) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string or a message list");
        }
        return node.asText();
    }

    private static String text(String field, JsonNode node) {
        if (absent(node)) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return node.asText();
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static int chars(List<ChatMessage> turns) {
        return turns.stream().mapToInt(m -> m.content().length()).sum();
    }
}
