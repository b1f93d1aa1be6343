package dev.orpo.model.score;

import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreferenceIdsJsonlTest {

    @TempDir
    Path dir;

    @Test
    void readsRowsIntoPairsSkippingBlankLines() throws Exception {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, "{\"prompt_ids\":[1,2],\"chosen_ids\":[3],\"rejected_ids\":[4,5]}\n\n"
                + "{\"prompt_ids\":[7],\"chosen_ids\":[8,9],\"rejected_ids\":[10]}\n");
        List<PreferencePair> pairs = PreferenceIdsJsonl.read(file);
        assertEquals(List.of(PreferencePair.ofIds(new int[] {1, 2}, new int[] {3}, new int[] {4, 5}),
                PreferencePair.ofIds(new int[] {7}, new int[] {8, 9}, new int[] {10})), pairs);
    }

    @Test
    void badRowsNameTheLineAndField() throws Exception {
        assertError("{\"prompt_ids\":[1],\"rejected_ids\":[2]}", "line 2: field chosen_ids is missing");
        assertError("{\"prompt_ids\":[1],\"chosen_ids\":\"x\",\"rejected_ids\":[2]}",
                "line 2: field chosen_ids must be an array");
        assertError("{\"prompt_ids\":[1],\"chosen_ids\":[2],\"rejected_ids\":[3,-4]}",
                "line 2: field rejected_ids[1] = -4 is not a token id");
        assertError("{\"prompt_ids\":[1],\"chosen_ids\":[],\"rejected_ids\":[3]}", "line 2: field chosen_ids is empty");
        assertError("{\"prompt_ids\":[1.5],\"chosen_ids\":[2],\"rejected_ids\":[3]}",
                "line 2: field prompt_ids[0] = 1.5");
        assertError("{not json", "line 2: invalid JSON");
    }

    private void assertError(String secondLine, String expected) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt_ids\":[1],\"chosen_ids\":[2],\"rejected_ids\":[3]}\n" + secondLine + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreferenceIdsJsonl.read(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
