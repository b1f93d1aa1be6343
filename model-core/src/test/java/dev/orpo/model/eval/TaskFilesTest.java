package dev.orpo.model.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
        List<EvalTask> tasks = TaskFiles.load(dir);
        assertEquals(List.of("a_other", "b_math"), tasks.stream().map(EvalTask::name).toList());
        ChoiceTask math = (ChoiceTask) tasks.get(1);
        assertEquals(2, math.size());
        assertEquals(Question.of("2+2=", List.of("4", "5"), 1), math.questions().get(1));
        assertEquals(EnumSet.of(Metric.ACC, Metric.ACC_NORM), math.metrics());
        assertSame(math.questions().get(1), math.fewShotPool().get(1), "examples come from the file's questions");
        assertTrue(math.excludeQuestion());
    }

    @Test
    void generationRowsMakeAnExactMatchTask() throws Exception {
        Path file = dir.resolve("sort_gen.jsonl");
        Files.writeString(file, "{\"prompt\": \"sort: b a\", \"target\": \"sorted: a b\"}\n");
        GenerationTask task = (GenerationTask) TaskFiles.read(file);
        assertEquals(List.of(new GenerationTask.Item("sort: b a", "sorted: a b")), task.items());
        Files.writeString(file, "{\"prompt\": \"x\", \"target\": \"y\"}\n" + GOOD + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + " line 2: a task file holds either"), e.getMessage());
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
        "{\"context\": \"x\", |invalid JSON",
        "{\"prompt\": \"x\", \"target\": 3}|target must be a string",
        "{\"prompt\": \"x\", \"target\": \"y\", \"gold\": 0}|unknown field gold"})
    void badLinesFailNamingFileAndLine(String badLine, String message) throws Exception {
        Path file = dir.resolve("task.jsonl");
        Files.writeString(file, GOOD + "\n\n" + badLine + "\n" + GOOD + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + " line 3: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
