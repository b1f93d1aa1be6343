package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.score.PreferenceIdsJsonl;
import dev.orpo.stages.evaluate.RunEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code orpo eval} and the pipeline's evaluation (eval-service runs {@link RunEvaluation} per checkpoint) produce the
 * same table for the same model, adapter, tasks and held-out pairs, under the request's default settings.
 */
class EvalCommandMatchesPipelineTest {
    private static final String TASK = String.join("\n",
            "{\"context\": \"what color is the sky ?\", \"choices\": [\"blue\", \"green\", \"red\"], \"gold\": 0}",
            "{\"context\": \"what color is snow ?\", \"choices\": [\"white\", \"red\"], \"gold\": 0}",
            "{\"context\": \"the dog runs up the\", \"choices\": [\"tree\", \"water\", \"big moon\"], \"gold\": 0}",
            "{\"context\": \"the bird\", \"choices\": [\"sings\", \"eats food\"], \"gold\": 0}") + "\n";

    @TempDir
    Path dir;

    @Test
    void orpoEvalPrintsTheNumbersTheEvalServiceReports() throws Exception {
        Path model = TinyChatModel.create(Files.createDirectories(dir.resolve("model")));
        Path tasks = Files.writeString(dir.resolve("colors.jsonl"), TASK);
        JsonNode orpo = new ObjectMapper().readTree(TinyChatModel.GOLDEN.resolve("golden.json").toFile()).get("orpo");
        StringBuilder rows = new StringBuilder();
        for (JsonNode p : orpo.get("pairs")) {
            rows.append("{\"prompt_ids\":").append(p.get("prompt")).append(",\"chosen_ids\":").append(p.get("chosen"))
                    .append(",\"rejected_ids\":").append(p.get("rejected")).append("}\n");
        }
        Path pairs = Files.writeString(dir.resolve("pairs.jsonl"), rows);
        Path json = dir.resolve("report.json");

        CliRun cli = CliRun.run("eval", "--model", model.toString(), "--adapter", model.toString(), "--tasks",
                tasks.toString(), "--pairs", pairs.toString(), "--json", json.toString());
        assertEquals(0, cli.exitCode(), cli.err());
        JsonNode printed = new ObjectMapper().readTree(json.toFile()).get("table");

        TrainingRequest request = RequestParser.parse("{\"model\": {\"name_or_path\": \"tiny\"},"
                + " \"dataset\": {\"uri\": \"s3://orpo/d.jsonl\"}}", false);
        RunEvaluation run = new RunEvaluation(model, PreferenceIdsJsonl.read(pairs), TaskFiles.load(tasks),
                EvalSpec.defaults(), request.training(), model);
        Map<String, Map<String, Double>> pipeline = run.evaluateCheckpoint(1, model).report().table();

        assertEquals(pipeline.keySet(), fieldNames(printed), "rows");
        for (String row : pipeline.keySet()) {
            Map<String, Double> expected = pipeline.get(row);
            assertEquals(expected.keySet(), fieldNames(printed.get(row)), row + " columns");
            assertTrue(expected.containsKey("colors/acc_norm") && expected.containsKey("eval_rewards/accuracies"),
                    expected.toString());
            expected.forEach((column, value) -> assertEquals(value, printed.get(row).get(column).asDouble(), 1e-6,
                    row + " " + column));
        }
    }

    private static java.util.Set<String> fieldNames(JsonNode node) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
