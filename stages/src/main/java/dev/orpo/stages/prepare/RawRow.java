package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One input row as read, each mapped column as JSON (a string, a message list, or null when the column is absent or
 * the value missing).
 *
 * @param row 0-based position in the input file
 */
record RawRow(long row, JsonNode prompt, JsonNode chosen, JsonNode rejected, JsonNode system, String source) {

    /** The row's identity for dedupe: its four mapped columns as JSON. */
    String key() {
        return prompt + "\u0000" + chosen + "\u0000" + rejected + "\u0000" + system;
    }
}
