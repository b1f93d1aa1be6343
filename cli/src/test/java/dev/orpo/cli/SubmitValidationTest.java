package dev.orpo.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Submit refuses bad input before it touches Kafka (the bootstrap points nowhere: reaching it would fail with 3). */
class SubmitValidationTest {
    private static final String NOWHERE = "127.0.0.1:1";

    @Test
    void invalidRequestPrintsEveryFieldErrorAndExits2(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                model: {name_or_path: m}
                dataset: {uri: "ftp://example.org/pairs.jsonl"}
                lora: {r: 0}
                training: {learning_rat: 1.0e-5}
                """);

        CliRun run = CliRun.run("submit", file.toString(), "--bootstrap", NOWHERE);

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        List<String> lines = run.err().lines().toList();
        assertTrue(lines.contains("lora.r: must be > 0"), run.err());
        assertTrue(lines.contains("training.learning_rat: unknown field"), run.err());
        assertTrue(lines.contains("dataset.uri: scheme ftp not allowed (use a path, s3:// or hf://datasets/)"),
                run.err());
        assertTrue(lines.contains(file + ": 3 errors; nothing submitted"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void malformedRunIdIsRefused() {
        CliRun run = CliRun.run("submit", "../examples/llama3-orpo.yaml", "--run-id", "Bad_Id",
                "--bootstrap", NOWHERE);

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("Bad_Id is not a valid run id"), run.err());
    }

    @Test
    void missingFileIsNamed() {
        CliRun run = CliRun.run("submit", "no/such.yaml", "--bootstrap", NOWHERE);

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("no/such.yaml: no such file"), run.err());
    }

    @Test
    void unknownUntilTypeIsRefusedBeforeConnecting() {
        CliRun run = CliRun.run("watch", "--until", "TrainingFinished", "--bootstrap", NOWHERE);

        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("unknown event type TrainingFinished"), run.err());
    }
}
