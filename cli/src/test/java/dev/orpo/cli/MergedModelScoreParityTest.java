package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.synthetic.DigitExample;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6: {@code orpo score} of the merged model equals {@code orpo score --adapter} on base + adapter (≤ 1e-4), for
 * an adapter that {@code orpo train} actually trained, merged by {@code orpo merge}.
 */
class MergedModelScoreParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @Test
    void mergedModelScoresLikeBasePlusAdapter() throws IOException {
        Path base = SyntheticLlama.write(dir.resolve("base"), SyntheticLlama.tiny(), 1);
        SyntheticPreferenceTask.Split split = SyntheticPreferenceTask.defaults().split(8, 4, 2);
        Path train = rows(dir.resolve("train.jsonl"), split.train());
        Path pairs = rows(dir.resolve("eval.jsonl"), split.eval());
        Path out = dir.resolve("train");
        StringWriter log = new StringWriter();
        CommandLine trainer = new CommandLine(new TrainCommand(false));
        trainer.setOut(new PrintWriter(log));
        // a large learning rate so that 4 steps move B well away from its zero init
        assertEquals(0, trainer.execute("--model", base.toString(), "--data", train.toString(), "--out",
                out.toString(), "--set", "max_steps=4", "--set", "per_device_train_batch_size=2", "--set",
                "gradient_accumulation_steps=1", "--set", "r=4", "--set", "learning_rate=2e-2", "--set",
                "warmup_steps=0"), log.toString());
        Path adapter = out.resolve("adapter");
        Path merged = dir.resolve("merged");
        CommandLine merger = new CommandLine(new MergeCommand());
        merger.setOut(new PrintWriter(new StringWriter()));
        assertEquals(0, merger.execute("--model", base.toString(), "--adapter", adapter.toString(), "--out",
                merged.toString(), "--dtype", "float32"));

        List<JsonNode> withAdapter = score("--model", base.toString(), "--adapter", adapter.toString(), "--data",
                pairs.toString());
        List<JsonNode> ofMerged = score("--model", merged.toString(), "--data", pairs.toString());
        List<JsonNode> ofBase = score("--model", base.toString(), "--data", pairs.toString());

        assertEquals(withAdapter.size(), ofMerged.size());
        double adapterEffect = 0;
        for (int i = 0; i < withAdapter.size() - 1; i++) { // rows, then the summary line
            for (String field : List.of("chosen_logps", "rejected_logps", "log_odds", "nll")) {
                assertEquals(withAdapter.get(i).get(field).asDouble(), ofMerged.get(i).get(field).asDouble(),
                        TOLERANCE, "row " + i + " " + field);
            }
            adapterEffect = Math.max(adapterEffect, Math.abs(withAdapter.get(i).get("chosen_logps").asDouble()
                    - ofBase.get(i).get("chosen_logps").asDouble()));
        }
        JsonNode a = withAdapter.get(withAdapter.size() - 1).get("summary");
        JsonNode m = ofMerged.get(ofMerged.size() - 1).get("summary");
        a.fieldNames().forEachRemaining(k -> assertEquals(a.get(k).asDouble(), m.get(k).asDouble(), TOLERANCE, k));
        // the trained adapter changes the scores far beyond the tolerance: parity is not base == base
        assertTrue(adapterEffect > 100 * TOLERANCE, "the adapter barely moved the log-probs: " + adapterEffect);
    }

    private static List<JsonNode> score(String... args) throws IOException {
        StringWriter text = new StringWriter();
        int exit = new CommandLine(new ScoreCommand(ScoreCommand.LLAMA_LOADER, new PrintWriter(text))).execute(args);
        assertEquals(0, exit, text.toString());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.toString().strip().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static Path rows(Path file, List<DigitExample> examples) throws IOException {
        TokenSpace space = TokenSpace.tiny();
        StringBuilder s = new StringBuilder();
        for (DigitExample e : examples) {
            s.append(JSON.createObjectNode().putPOJO("prompt_ids", space.promptIds(e.prompt()))
                    .putPOJO("chosen_ids", space.answerIds(e.chosen()))
                    .putPOJO("rejected_ids", space.answerIds(e.rejected()))).append('\n');
        }
        Files.writeString(file, s);
        return file;
    }
}
