package dev.orpo.model.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportHistoryTest {

    private static ModelScores tuned(int correct, double loss) {
        List<DocResult> docs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            docs.add(new DocResult(new double[] {0, 0}, List.of(0), i < correct ? 0 : 1, i < correct ? 0 : 1));
        }
        return new ModelScores("tuned", Map.of("arc", TaskResult.ofChoices("arc", EnumSet.of(Metric.ACC,
                Metric.ACC_NORM), docs)),
                Map.of("eval_loss", loss, "eval_rewards/margins", Double.NaN));
    }

    @Test
    void restoredHistoryWritesTheSameReportAsTheOriginal() {
        EvalReport before = EvalReport.of(tuned(1, 2.0), tuned(3, 1.5)).withCheckpoint(10, tuned(2, 1.75))
                .withCheckpoint(20, tuned(3, 1.5));
        List<EvalReport.Checkpoint> restored = ReportHistory.read(before.json());
        assertEquals(List.of(10L, 20L), restored.stream().map(EvalReport.Checkpoint::step).toList());
        assertEquals(75.0, restored.get(1).scores().columns().get("arc/acc"));
        assertTrue(restored.get(0).scores().columns().get("eval_rewards/margins").isNaN(), "null reads back as NaN");
        EvalReport after = new EvalReport(before.rows(), restored);
        assertEquals(before.json(), after.json());
    }

    @Test
    void reportWithoutHistoryRestoresNothingAndAMalformedEntryIsNamed() {
        assertEquals(List.of(), ReportHistory.read("{\"table\": {}}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReportHistory.read("{\"history\": [{\"step\": 5, \"columns\": {}}, {\"step\": \"x\"}]}"));
        assertEquals("evaluation report: history[1] needs a numeric step and a columns object", e.getMessage());
    }
}
