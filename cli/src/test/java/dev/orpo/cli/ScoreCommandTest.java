package dev.orpo.cli;

import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCommandTest {

    private static final int VOCAB = 5;

    @TempDir
    Path dir;

    @Test
    void printsOneJsonLinePerPairThenSummary() throws Exception {
        Path data = dir.resolve("pairs.jsonl");
        Files.writeString(data, "{\"prompt_ids\":[1,2],\"chosen_ids\":[3,4],\"rejected_ids\":[0]}\n"
                + "{\"prompt_ids\":[4],\"chosen_ids\":[2],\"rejected_ids\":[1,1,3]}\n");
        StringWriter text = new StringWriter();
        // uniform-ish toy model: logits = id-dependent constants, causal by construction
        ScoreCommand command = new ScoreCommand((model, adapter, manager) -> (ids, attention) ->
                ids.toType(DataType.FLOAT32, false).expandDims(-1)
                        .mul(manager.arange(0f, VOCAB, 1f).div(VOCAB)), new PrintWriter(text));
        int exit = new CommandLine(command).execute("--model", dir.toString(), "--data", data.toString(),
                "--batch-size", "1", "--beta", "0.2");
        assertEquals(0, exit);
        String[] lines = text.toString().trim().split("\n");
        assertEquals(3, lines.length);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines[0]);
        assertEquals(0, first.get("index").asInt());
        assertTrue(first.get("chosen_logps").asDouble() < 0);
        for (String field : new String[] {"rejected_logps", "log_odds", "nll"}) {
            assertTrue(first.has(field), field);
        }
        JsonNode summary = json.readTree(lines[2]).get("summary");
        assertEquals(12, summary.size());
        assertEquals(0.2 * summary.get("logps/chosen").asDouble(), summary.get("rewards/chosen").asDouble(), 1e-12);
        assertNotEquals(0.0, summary.get("loss").asDouble());
    }

    @Test
    void scoresAGoldenModelWithItsAdapterLikeTheFloat64Reference() throws Exception {
        Path fixture = Path.of("../model-core/src/test/resources/golden/llama3-gqa-f32").toAbsolutePath();
        JsonNode orpo = new ObjectMapper().readTree(fixture.resolve("golden.json").toFile()).get("orpo");
        Path data = dir.resolve("pairs.jsonl");
        StringBuilder rows = new StringBuilder();
        for (JsonNode p : orpo.get("pairs")) {
            rows.append("{\"prompt_ids\":").append(p.get("prompt")).append(",\"chosen_ids\":").append(p.get("chosen"))
                    .append(",\"rejected_ids\":").append(p.get("rejected")).append("}\n");
        }
        Files.writeString(data, rows);
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new ScoreCommand(ScoreCommand.LLAMA_LOADER, new PrintWriter(out)))
                .execute("--model", fixture.toString(), "--adapter", fixture.toString(), "--data", data.toString(),
                        "--batch-size", "2");
        assertEquals(0, exit, out.toString());
        String[] lines = out.toString().strip().split("\n");
        assertEquals(orpo.get("pairs").size() + 1, lines.length);
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]).get("summary");
        assertEquals(orpo.get("loss").asDouble(), summary.get("loss").asDouble(), 1e-4);
        assertEquals(orpo.get("metrics").get("nll_loss").asDouble(), summary.get("nll_loss").asDouble(), 1e-4);
        JsonNode first = new ObjectMapper().readTree(lines[0]);
        assertEquals(orpo.get("logps").get(0).asDouble(), first.get("chosen_logps").asDouble(), 1e-4);
    }
}
