package dev.orpo.cli;

import dev.orpo.contracts.request.ChatTemplateSpec;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.ModelSpec;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import dev.orpo.stages.prepare.PrepareStageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrepareCommandTest {
    @TempDir
    Path dir;

    private Path dataset(int rows, boolean withBadRow) throws IOException {
        String[] colours = {"blue", "green", "red", "white"};
        String[] things = {"sky", "grass", "fire", "snow"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            sb.append(String.format("{\"prompt\":\"what is the color of %s %s ?\",\"chosen\":\"%s %s\","
                    + "\"rejected\":\"no\"}%n", things[i % 4], i % 2 == 0 ? "and tree" : "", colours[i % 4],
                    "yes ".repeat(i % 3)));
        }
        if (withBadRow) {
            sb.append("{\"prompt\":\"hello ?\",\"chosen\":null,\"rejected\":\"no\"}\n");
        }
        return Files.writeString(dir.resolve("prefs.jsonl"), sb.toString());
    }

    @Test
    void prepareWritesTheSameBytesAsTheDatasetStage() throws IOException {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path data = dataset(12, true);
        Path config = Files.writeString(dir.resolve("request.yaml"),
                "model: {name_or_path: ignored}\ndataset: {uri: ignored, test_size: 2}\n");

        CliRun run = CliRun.run("prepare", "--data", data.toString(), "--model", model.toString(),
                "--out", dir.resolve("cli").toString(), "--config", config.toString(), "--set", "dataset.select=9");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("rows: read 13, kept 9 (train 7, test 2), rejected 1"), run.out());

        TrainingRequest request = new TrainingRequest(ModelSpec.of(model.toString()),
                new DatasetSpec(data.toString(), null, null, null, null, 9, 2.0), ChatTemplateSpec.defaults(),
                null, null, null, null, null);
        PrepareResult service = new PrepareStage(PrepareStageConfig.DEFAULTS)
                .prepareLocal(request, model, data, dir.resolve("stage"));
        assertTrue(run.out().contains(service.manifestSha256()), run.out());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("stage"))) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(files.size() >= 5, files.toString()); // shards, rejects, manifest, tokenizer files
        for (Path f : files) {
            Path rel = dir.resolve("stage").relativize(f);
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(dir.resolve("cli").resolve(rel)), rel.toString());
        }
    }

    @Test
    void tooManyBadRowsExitWithBadInputNamingTheRow() throws IOException {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path data = dataset(3, true);
        CliRun run = CliRun.run("prepare", "--data", data.toString(), "--model", model.toString(),
                "--out", dir.resolve("cli").toString());
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("dataset.rows[3]"), run.err());
    }
}
