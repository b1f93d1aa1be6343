package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.DigitExample;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;
import dev.orpo.stages.demo.DemoAssets;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void trainsASyntheticModelPrintingJsonLinesAndWritingCheckpointsAndAdapter() throws IOException {
        Path model = SyntheticLlama.write(dir.resolve("model"), SyntheticLlama.tiny(), 1);
        SyntheticPreferenceTask.Split split = SyntheticPreferenceTask.defaults().split(8, 4, 2);
        Path data = rows(dir.resolve("train.jsonl"), split.train());
        Path eval = rows(dir.resolve("eval.jsonl"), split.eval());
        Path out = dir.resolve("out");
        StringWriter stdout = new StringWriter();
        int exit = run(false, stdout, new StringWriter(), "--model", model.toString(), "--data", data.toString(),
                "--eval-data", eval.toString(), "--out", out.toString(), "--set", "max_steps=4",
                "--set", "per_device_train_batch_size=2", "--set", "gradient_accumulation_steps=1",
                "--set", "save_steps=2", "--set", "eval_steps=2", "--set", "r=4", "--set", "learning_rate=1e-3");
        assertEquals(0, exit, stdout.toString());
        List<JsonNode> events = new ArrayList<>();
        for (String line : stdout.toString().trim().split("\n")) {
            events.add(JSON.readTree(line));
        }
        List<String> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e.get("event").asText() + "@" + e.get("step").asInt()));
        assertEquals(List.of("log@1", "log@2", "eval@2", "checkpoint@2", "log@3", "log@4", "eval@4", "checkpoint@4",
                "end@4"), kinds);
        JsonNode log = events.get(0);
        for (String name : List.of("loss", "rewards/accuracies", "nll_loss", "log_odds_ratio", "learning_rate",
                "grad_norm", "epoch", "tokens_per_second")) {
            assertTrue(log.has(name), name + " in " + log);
        }
        assertTrue(events.get(2).has("eval_rewards/margins"), events.get(2).toString());
        PeftAdapter adapter = PeftAdapterFiles.read(out.resolve("adapter"));
        assertEquals(4, adapter.config().r());
        assertEquals(model.toString(), adapter.config().baseModelNameOrPath());
        PeftAdapter last = PeftAdapterFiles.read(out.resolve("checkpoints/step-4"));
        adapter.tensors().forEach((k, t) -> assertEquals(t, last.tensors().get(k), k));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/step-2")));
    }

    @Test
    void progressLinesOnATerminalAndClearErrorsForBadInput() throws IOException {
        Path model = SyntheticLlama.write(dir.resolve("model"), SyntheticLlama.tiny(), 1);
        Path data = rows(dir.resolve("train.jsonl"), SyntheticPreferenceTask.defaults().split(2, 0, 2).train());
        StringWriter stdout = new StringWriter();
        assertEquals(0, run(true, stdout, new StringWriter(), "--model", model.toString(), "--data", data.toString(),
                "--out", dir.resolve("out").toString(), "--set", "max_steps=1"));
        assertTrue(stdout.toString().startsWith("step 1/1 (100%) | loss "), stdout.toString());

        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.BAD_INPUT, run(false, new StringWriter(), err, "--model", model.toString(),
                "--data", data.toString(), "--out", dir.resolve("x").toString(), "--set", "learning_rat=1"));
        assertTrue(err.toString().contains("training.learning_rat: unknown field"), err.toString());

        Path outOfVocab = dir.resolve("bad.jsonl");
        Files.writeString(outOfVocab, "{\"prompt_ids\":[1,5],\"chosen_ids\":[64,2],\"rejected_ids\":[6,2]}\n");
        err = new StringWriter();
        assertEquals(ExitCodes.BAD_INPUT, run(false, new StringWriter(), err, "--model", model.toString(),
                "--data", outOfVocab.toString(), "--out", dir.resolve("y").toString()));
        assertTrue(err.toString().contains("row 1: token id 64 is outside the model's vocabulary of 64"),
                err.toString());
    }

    @Test
    void preparedDatasetWithARequestTrainsTheServicesAdapterByteForByte() throws IOException {
        Path model = SyntheticLlama.write(dir.resolve("model"), SyntheticLlama.tiny(), 1);
        Path data = SyntheticPrepared.dataset(dir.resolve("prepared"), 8, 4, 2);
        Path config = dir.resolve("request.yaml");
        Files.writeString(config, """
                model: {name_or_path: tiny}
                dataset: {uri: s3://orpo/d.jsonl}
                lora: {r: 4, lora_alpha: 8}
                training: {learning_rate: 0.001, warmup_steps: 0, per_device_train_batch_size: 2,
                           gradient_accumulation_steps: 1, max_steps: 3, eval_steps: 2, save_steps: 2, seed: 5}
                """);
        StringWriter stdout = new StringWriter();
        assertEquals(0, run(false, stdout, new StringWriter(), "--model", model.toString(), "--prepared",
                data.toString(), "--config", config.toString(), "--out", dir.resolve("cli").toString()),
                stdout.toString());
        assertTrue(stdout.toString().contains("\"event\":\"end\""), stdout.toString());

        // what trainer-service runs for the same request (TrainStage, the request's own settings)
        TrainStage.run(RequestParser.parseFile(config), new TrainStage.Inputs(model, model.toString(), data, 0,
                dir.resolve("service"), null), new TrainStageListener() { }, () -> false);
        for (String file : List.of("adapter_model.safetensors", "adapter_config.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("service/checkpoints/step-3").resolve(file)),
                    Files.readAllBytes(dir.resolve("cli/adapter").resolve(file)), file);
        }

        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.BAD_INPUT, run(false, new StringWriter(), err, "--model", model.toString(),
                "--prepared", data.toString(), "--data", config.toString(), "--out", dir.resolve("x").toString()));
        assertTrue(err.toString().contains("exactly one of --data"), err.toString());
    }

    @Test
    void textRowsTrainThroughTheDatasetStageExactlyAsPrepareThenTrainPrepared() throws IOException {
        Path model = DemoAssets.writeModel(dir.resolve("model"), DemoAssets.Spec.small());
        StringBuilder rows = new StringBuilder();
        for (String[] r : new String[][] {{"c a b", "a b c", "b a c"}, {"e d", "d e", "e d"}, {"b a", "a b", "b a"},
                {"f e d", "d e f", "f d e"}}) {
            rows.append("{\"prompt\":\"sort: ").append(r[0]).append("\",\"chosen\":[{\"role\":\"user\",\"content\":"
                    + "\"sort: ").append(r[0]).append("\"},{\"role\":\"assistant\",\"content\":\"sorted: ").append(r[1])
                    .append("\"}],\"rejected\":[{\"role\":\"user\",\"content\":\"sort: ").append(r[0])
                    .append("\"},{\"role\":\"assistant\",\"content\":\"sorted: ").append(r[2]).append("\"}]}\n");
        }
        Path data = Files.writeString(dir.resolve("mix.jsonl"), rows);
        String[] settings = {"--set", "max_steps=2", "--set", "per_device_train_batch_size=2", "--set",
                "gradient_accumulation_steps=1", "--set", "learning_rate=1e-3", "--set", "dataset.test_size=1"};
        List<String> direct = new ArrayList<>(List.of("--model", model.toString(), "--data", data.toString(),
                "--out", dir.resolve("direct").toString()));
        direct.addAll(List.of(settings));
        StringWriter stdout = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(false, stdout, err, direct.toArray(String[]::new)), err.toString());
        assertTrue(stdout.toString().contains("\"event\":\"eval\""), "one held-out row: " + stdout);

        CliRun prepare = CliRun.run("prepare", "--data", data.toString(), "--model", model.toString(), "--out",
                dir.resolve("prepared").toString(), "--set", "dataset.test_size=1");
        assertEquals(0, prepare.exitCode(), prepare.err());
        List<String> staged = new ArrayList<>(List.of("--model", model.toString(), "--prepared",
                dir.resolve("prepared").toString(), "--out", dir.resolve("staged").toString()));
        staged.addAll(List.of(settings));
        assertEquals(0, run(false, new StringWriter(), new StringWriter(), staged.toArray(String[]::new)));
        for (String file : List.of("adapter_model.safetensors", "adapter_config.json")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("staged/adapter").resolve(file)),
                    Files.readAllBytes(dir.resolve("direct/adapter").resolve(file)), file);
        }
        assertTrue(Files.isRegularFile(dir.resolve("direct/adapter/tokenizer.json")), "the run's tokenizer");
    }

    @Test
    void nf4RequestTrainsOnTheNf4BaseAsTheServiceDoes() throws IOException {
        Path model = SyntheticLlama.write(dir.resolve("model"), SyntheticLlama.tiny(), 1);
        Path data = SyntheticPrepared.dataset(dir.resolve("prepared"), 4, 0, 2);
        String request = """
                model: {name_or_path: tiny}
                dataset: {uri: s3://orpo/d.jsonl}
                lora: {r: 4, lora_alpha: 8}
                training: {learning_rate: 0.001, warmup_steps: 0, per_device_train_batch_size: 2,
                           gradient_accumulation_steps: 1, max_steps: 2, save_steps: 2, seed: 5}
                """;
        Path nf4 = dir.resolve("nf4.yaml");
        Files.writeString(nf4, request + "quantization: {mode: nf4}\n");
        Path fp32 = dir.resolve("fp32.yaml");
        Files.writeString(fp32, request);
        for (Path config : List.of(nf4, fp32)) {
            StringWriter stdout = new StringWriter();
            assertEquals(0, run(false, stdout, new StringWriter(), "--model", model.toString(), "--prepared",
                    data.toString(), "--config", config.toString(), "--out", dir.resolve("cli-" + config
                            .getFileName()).toString()), stdout.toString());
        }
        TrainStage.run(RequestParser.parseFile(nf4), new TrainStage.Inputs(model, model.toString(), data, 0,
                dir.resolve("service"), null), new TrainStageListener() { }, () -> false);
        byte[] service = Files.readAllBytes(dir.resolve("service/checkpoints/step-2/adapter_model.safetensors"));
        assertArrayEquals(service, Files.readAllBytes(dir.resolve("cli-nf4.yaml/adapter/adapter_model.safetensors")));
        assertFalse(Arrays.equals(service,
                Files.readAllBytes(dir.resolve("cli-fp32.yaml/adapter/adapter_model.safetensors"))));
    }

    private static int run(boolean terminal, StringWriter out, StringWriter err, String... args) {
        CommandLine cli = new CommandLine(new TrainCommand(terminal));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private static Path rows(Path file, List<DigitExample> examples) throws IOException {
        TokenSpace space = TokenSpace.tiny();
        StringBuilder s = new StringBuilder();
        for (DigitExample e : examples) {
            PreferencePair p = space.pair(e);
            s.append(JSON.createObjectNode()
                    .putPOJO("prompt_ids", space.promptIds(e.prompt()))
                    .putPOJO("chosen_ids", space.answerIds(e.chosen()))
                    .putPOJO("rejected_ids", space.answerIds(e.rejected()))).append('\n');
            assertEquals(p.chosenInputIds().length, space.promptIds(e.prompt()).length + e.chosen().length + 1,
                    Arrays.toString(p.chosenInputIds()));
        }
        Files.writeString(file, s);
        return file;
    }
}
