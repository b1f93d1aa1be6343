package dev.orpo.model.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskFilesTest {
    private static final String GOOD = "{\"context\": \"2+2=\", \"choices\": [\"4\", \"5\"], \"gold\": 0}";

    @TempDir
    Path dir;

    @Test
    void readsOneTaskPerFileNamedAfterIt() throws Exception {
        Files.writeString(dir.resolve("b_math.jsonl"), GOOD + "\n\n" + GOOD.replace("\"gold\": 0", "\"gold\": 1") + "\n");
        Files.writeString(dir.resolve("a_other.jsonl"), GOOD + "\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        List<McTask> tasks = TaskFiles.load(dir);
        assertEquals(List.of("a_other", "b_math"), tasks.stream().map(McTask::name).toList());
        assertEquals(2, tasks.get(1).docs().size());
        assertEquals(new McDoc("2+2=", List.of("4", "5"), 1), tasks.get(1).docs().get(1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"context\": \"x\", \"choices\": [\"a\"], \"gold\": 0, \"label\": 1}|unknown field label",
        "{\"context\": \"x\", \"choices\": [\"a\", \"b\"], \"gold\": 2}|gold = 2 is out of range for 2 choices",
        "{\"context\": \"x\", \"choices\": [\"a\", \"b\"], \"gold\": -1}|gold = -1 is out of range",
        "{\"context\": \"x\", \"choices\": [], \"gold\": 0}|choices must be a non-empty array",
        "{\"context\": \"x\", \"choices\": [\"a\", 3], \"gold\": 0}|choices[1] must be a string",
        "{\"context\": 5, \"choices\": [\"a\"], \"gold\": 0}|context must be a string",
        "{\"context\": \"x\", \"choices\": [\"a\"]}|gold must be an integer",
        "{\"context\": \"x\", |invalid JSON"})
    void badLinesFailNamingFileAndLine(String badLine, String message) throws Exception {
        Path file = dir.resolve("task.jsonl");
        Files.writeString(file, GOOD + "\n\n" + badLine + "\n" + GOOD + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + " line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void convertsLmEvalStyleExports() throws Exception {
        Path in = dir.resolve("export.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"query\": \"Q1\", \"choices\": [\"a\", \"b\"], \"gold\": 1, \"doc_id\": 7}",
                "{\"question\": \"Q2\", \"choices\": {\"text\": [\"x\", \"y\", \"z\"], \"label\": [\"A\", \"B\", \"C\"]},"
                        + " \"answerKey\": \"C\"}",
                "{\"question\": \"Q3\", \"choices\": [\"p\", \"q\"], \"answer\": \"1\"}",
                "{\"ctx\": \"Q4\", \"choices\": [\"p\", \"q\"], \"label\": \"B\"}") + "\n");
        Path out = dir.resolve("converted.jsonl");
        assertEquals(4, LmEvalConverter.convert(in, out));
        List<McDoc> docs = TaskFiles.read(out).docs();
        assertEquals(new McDoc("Q1", List.of("a", "b"), 1), docs.get(0));
        assertEquals(new McDoc("Q2", List.of("x", "y", "z"), 2), docs.get(1));
        assertEquals(new McDoc("Q3", List.of("p", "q"), 1), docs.get(2));
        assertEquals(new McDoc("Q4", List.of("p", "q"), 1), docs.get(3));
        Files.writeString(in, "{\"query\": \"Q\", \"choices\": [\"a\"], \"gold\": 3}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LmEvalConverter.convert(in, out));
        assertTrue(e.getMessage().startsWith(in + " line 1: "), e.getMessage());
    }
}
