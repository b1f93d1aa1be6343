package dev.orpo.cli.demo;

import dev.orpo.cli.StageBoard;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.contracts.request.TrainingRequest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoReportTest {

    private static Map<String, Double> row(double acc, double margin, double mc) {
        return Map.of("eval_rewards/accuracies", acc, "eval_rewards/margins", margin, "sort_letters/acc", mc,
                "sort_letters/acc_norm", mc);
    }

    @Test
    void tableShowsBaseTunedAndChangeAndAcceptsAGain() {
        StringWriter s = new StringWriter();
        String verdict = DemoReport.printTable(new PrintWriter(s, true),
                Map.of("base", row(0.5, 0.01, 25.0), "tuned", row(0.95, 0.07, 80.0)));
        assertNull(verdict);
        assertTrue(s.toString().contains("held-out reward accuracy"), s.toString());
        assertTrue(s.toString().matches("(?s).*held-out reward accuracy\\s+0\\.5000\\s+0\\.9500\\s+\\+0\\.4500.*"),
                s.toString());
        assertTrue(s.toString().matches("(?s).*sort_letters/acc\\s+25\\.00\\s+80\\.00\\s+\\+55\\.00.*"), s.toString());
    }

    @Test
    void exactMatchIsShownAsHeldOutExactMatchAndMustAlsoGrow() {
        Map<String, Double> base = new java.util.HashMap<>(row(0.5, 0.01, 25.0));
        Map<String, Double> tuned = new java.util.HashMap<>(row(0.95, 0.07, 80.0));
        base.put("sort_letters_gen/exact_match", 4.0);
        tuned.put("sort_letters_gen/exact_match", 96.0);
        StringWriter s = new StringWriter();
        assertNull(DemoReport.printTable(new PrintWriter(s, true), Map.of("base", base, "tuned", tuned)));
        assertTrue(s.toString().matches("(?s).*held-out exact match\\s+4\\.00\\s+96\\.00\\s+\\+92\\.00.*"),
                s.toString());
        tuned.put("sort_letters_gen/exact_match", 4.0);
        assertEquals("no gain in sort_letters_gen/exact_match: tuned 4.00 is not above the base's 4.00",
                DemoReport.printTable(new PrintWriter(new StringWriter()), Map.of("base", base, "tuned", tuned)));
    }

    @Test
    void noGainMissingRowsOrMissingAccuracyFailWithTheReason() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        assertTrue(DemoReport.printTable(sink, Map.of("base", row(0.6, 0.01, 25), "tuned", row(0.6, 0.02, 30)))
                .startsWith("no learning: tuned held-out reward accuracy 0.6000 is not above the base's 0.6000"));
        assertTrue(DemoReport.printTable(sink, Map.of("tuned", row(0.9, 0.1, 90))).contains("no base and tuned rows"));
        assertTrue(DemoReport.printTable(sink, Map.of("base", Map.of("x/acc", 1.0), "tuned", Map.of("x/acc", 2.0)))
                .contains("reports no eval_rewards/accuracies"));
    }

    @Test
    void demoRequestIsTheExampleFileWithTheUploadedInputsAndValidates() throws IOException {
        Path yaml = dev.orpo.cli.ServiceApps.repoRoot().resolve("examples/demo.yaml");
        TrainingRequest r = DemoRequest.build(yaml, new DemoRequest.Uploaded("s3://orpo/demo/x/model/",
                "s3://orpo/demo/x/data.parquet", List.of("s3://orpo/demo/x/tasks/sort_letters.jsonl",
                "s3://orpo/demo/x/tasks/sort_letters_gen.jsonl"), List.of("sort: b a c")));
        assertEquals(List.of(), RequestValidator.validate(r));
        assertEquals("s3://orpo/demo/x/model/", r.model().nameOrPath());
        assertEquals("s3://orpo/demo/x/data.parquet", r.dataset().uri());
        assertEquals(List.of("s3://orpo/demo/x/tasks/sort_letters.jsonl",
                "s3://orpo/demo/x/tasks/sort_letters_gen.jsonl"), r.eval().tasks());
        assertEquals(List.of("sort: b a c"), r.eval().prompts(), "the demo's held-out prompts");
        assertEquals(16, r.lora().r());
        assertEquals(32.0, r.lora().loraAlpha());
        assertEquals(0.1, r.training().beta());
        assertEquals("linear", r.training().lrSchedulerType());
    }

    @Test
    void pipedBoardPrintsOneLinePerEventAndTerminalBoardRedrawsFourBars() {
        var prepared = new DatasetPrepared("e1", "run-1", 1, Instant.parse("2026-11-28T06:00:00Z"), null,
                "s3://orpo/runs/run-1/dataset/", "abc", 216, 24, 0, 6000, 280, null);
        var step = new TrainingProgressed("e2", "run-1", 1, Instant.parse("2026-11-28T06:00:05Z"), null,
                TrainingProgressed.TRAIN, 27, 54, 0.5, Map.of("loss", 4.1, "rewards/accuracies", 0.9), 100, 20);
        StringWriter piped = new StringWriter();
        StageBoard plain = new StageBoard(new PrintWriter(piped, true), false);
        plain.on(prepared);
        plain.on(step);
        assertEquals(2, piped.toString().lines().count(), piped.toString());
        assertTrue(piped.toString().contains("DatasetPrepared"), piped.toString());

        var held = new TrainingProgressed("e3", "run-1", 1, Instant.parse("2026-11-28T06:00:05Z"), null,
                TrainingProgressed.EVAL, 27, 54, 0.5, Map.of("eval_rewards/accuracies", 0.95), 0, 0);
        StringWriter tty = new StringWriter();
        StageBoard bars = new StageBoard(new PrintWriter(tty, true), true);
        bars.on(prepared);
        bars.on(held);
        bars.on(step);
        String last = tty.toString().substring(tty.toString().lastIndexOf("\033[4A"));
        assertTrue(last.contains("dataset [############################] 100%"), last);
        assertTrue(last.contains("train   [##############..............]  50%  27/54 loss 4.1000 acc 0.9000"), last);
        assertTrue(last.contains("| held-out @27 acc 0.9500"), last);
    }
}
