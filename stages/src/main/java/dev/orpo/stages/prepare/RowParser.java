package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.PreferenceExample;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps a {@link RawRow} onto a {@link PreferenceExample}:
 * <ul>
 *   <li>chosen/rejected message lists (orpo-dpo-mix-40k): the shared leading turns are the prompt (TRL
 *   {@code extract_prompt}); a prompt column, if any, is then ignored;</li>
 *   <li>prompt list or string + chosen/rejected strings: the prompt turn(s) (a string becomes one user turn) followed by
 *   one assistant answer each, templated;</li>
 *   <li>chosen/rejected strings without a prompt column (Anthropic-HH transcripts): the common prefix is the prompt
 *   and the texts are used as written, no template.</li>
 * </ul>
 * A system column value is prepended as a system turn to conversational rows. Bad rows throw
 * {@link IllegalArgumentException} naming the field.
 */
final class RowParser {

    private RowParser() {
    }

    /** A parsed row with its raw content sizes (characters) and identity for filters and dedupe. */
    record Parsed(PreferenceExample example, int promptChars, int chosenChars, int rejectedChars, boolean identical,
                  String key) {
    }

    static Parsed parse(RawRow raw) {
        JsonNode chosen = raw.chosen();
        JsonNode rejected = raw.rejected();
        if (chosen.isNull() || rejected.isNull()) {
            throw new IllegalArgumentException((chosen.isNull() ? "chosen" : "rejected") + " is missing");
        }
        String key = raw.prompt() + "\u0000" + chosen + "\u0000" + rejected + "\u0000" + raw.system();
        boolean identical = chosen.equals(rejected);
        if (chosen.isArray() && rejected.isArray()) {
            List<ChatMessage> c = messages("chosen", chosen);
            List<ChatMessage> r = messages("rejected", rejected);
            if (identical) {
                return new Parsed(null, 0, chars(c), chars(r), true, key);
            }
            PreferenceExample.Conversation conv = PreferenceExample.sharedPrompt(c, r).withSystem(text(raw.system()));
            return new Parsed(conv, chars(conv.prompt()), chars(conv.chosen()), chars(conv.rejected()), false, key);
        }
        if (!chosen.isTextual() || !rejected.isTextual()) {
            throw new IllegalArgumentException("chosen and rejected must both be strings or both message lists");
        }
        String c = chosen.asText();
        String r = rejected.asText();
        if (identical) {
            return new Parsed(null, 0, c.length(), r.length(), true, key);
        }
        JsonNode prompt = raw.prompt();
        if (prompt.isNull()) {
            PreferenceExample.Plain plain = PreferenceExample.sharedPrompt(c, r);
            return new Parsed(plain, plain.prompt().length(), plain.chosen().length(), plain.rejected().length(),
                    false, key);
        }
        List<ChatMessage> turns = prompt.isArray() ? messages("prompt", prompt)
                : List.of(ChatMessage.user(requireText("prompt", prompt)));
        PreferenceExample.Conversation conv = PreferenceExample.conversation(turns, c, r).withSystem(text(raw.system()));
        return new Parsed(conv, chars(conv.prompt()), c.length(), r.length(), false, key);
    }

    private static List<ChatMessage> messages(String field, JsonNode list) {
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual()) {
                throw new IllegalArgumentException(field + "[" + i + "].role is missing");
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

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static int chars(List<ChatMessage> turns) {
        return turns.stream().mapToInt(m -> m.content().length()).sum();
    }
}
