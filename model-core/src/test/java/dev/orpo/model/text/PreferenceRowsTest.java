package dev.orpo.model.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.orpo.model.text.ChatMessage.assistant;
import static dev.orpo.model.text.ChatMessage.system;
import static dev.orpo.model.text.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one row parser: TRL's maybe_extract_prompt for each row shape, and errors that name the field. */
class PreferenceRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PreferenceRows.Parsed parse(String row) throws Exception {
        return PreferenceRows.parse(JSON.readTree(row));
    }

    @Test
    void orpoDpoMixRowIgnoresItsStringPromptAndExtractsTheSharedTurns() throws Exception {
        // the real dataset's shape: a prompt string, message lists that repeat the user turn, extra columns
        PreferenceRows.Parsed p = parse("{\"source\":\"Airoboros\",\"prompt\":\"What is 2+2?\","
                + "\"chosen\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"}],"
                + "\"rejected\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"},{\"role\":\"assistant\",\"content\":\"5\"}],"
                + "\"question\":\"What is 2+2?\"}");
        assertEquals(new PreferenceExample.Conversation(List.of(user("What is 2+2?")), List.of(assistant("4")),
                List.of(assistant("5"))), p.example());
        assertEquals(12, p.promptChars());
    }

    @Test
    void messageListPromptIsKeptAsTheExplicitPrompt() throws Exception {
        PreferenceRows.Parsed p = parse("{\"prompt\":[{\"role\":\"user\",\"content\":\"Q\"}],"
                + "\"chosen\":[{\"role\":\"assistant\",\"content\":\"good\"}],"
                + "\"rejected\":[{\"role\":\"assistant\",\"content\":\"bad\"}],\"system\":\"S\"}");
        assertEquals(new PreferenceExample.Conversation(List.of(system("S"), user("Q")), List.of(assistant("good")),
                List.of(assistant("bad"))), p.example());
    }

    @Test
    void transcriptsWithoutPromptAreUsedAsWritten() throws Exception {
        PreferenceRows.Parsed p = parse("{\"chosen\":\"\\n\\nHuman: hi\\n\\nAssistant: good\","
                + "\"rejected\":\"\\n\\nHuman: hi\\n\\nAssistant: bad\"}");
        assertEquals(new PreferenceExample.Plain("\n\nHuman: hi\n\nAssistant:", " good", " bad"), p.example());
    }

    @Test
    void stringPromptWithStringAnswersIsOneTemplatedExchange() throws Exception {
        PreferenceRows.Parsed p = parse("{\"prompt\":\"Q\",\"chosen\":\"yes\",\"rejected\":\"no\"}");
        assertEquals(PreferenceExample.conversation(List.of(user("Q")), "yes", "no"), p.example());
        assertEquals(3, p.chosenChars());
    }

    @Test
    void identicalAnswersAreFlaggedNotParsed() throws Exception {
        PreferenceRows.Parsed p = parse("{\"prompt\":\"Q\",\"chosen\":\"same\",\"rejected\":\"same\"}");
        assertTrue(p.identical());
        assertNull(p.example());
    }

    @Test
    void badRowsNameTheField() {
        assertEquals("rejected is missing", message("{\"prompt\":\"Q\",\"chosen\":\"a\"}"));
        assertEquals("chosen[1].content is missing or not a string", message("{\"chosen\":[{\"role\":\"user\","
                + "\"content\":\"Q\"},{\"role\":\"assistant\",\"content\":null}],\"rejected\":[{\"role\":\"user\","
                + "\"content\":\"Q\"},{\"role\":\"assistant\",\"content\":\"x\"}]}"));
        assertEquals("chosen and rejected must both be strings or both message lists",
                message("{\"chosen\":\"a\",\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}"));
        assertEquals("system must be a string", message("{\"prompt\":\"Q\",\"chosen\":\"a\",\"rejected\":\"b\","
                + "\"system\":[1]}"));
        assertEquals("expected a JSON object with chosen and rejected", message("[1, 2]"));
    }

    private static String message(String row) {
        JsonNode node;
        try {
            node = JSON.readTree(row);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return assertThrows(IllegalArgumentException.class, () -> PreferenceRows.parse(node)).getMessage();
    }
}
