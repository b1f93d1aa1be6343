package dev.orpo.model.score;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The production path of {@code orpo score --model DIR --adapter DIR} (config.json + safetensors reader + PEFT adapter
 * files + Llama forward + ORPO) against the independent float64 PyTorch reference in make_llama_golden.py.
 */
class PretrainedScoreParityTest {
    private static final double TOL = 1e-4;
    /** TRL averages logits/* over padding too; the scorer does not (batch-size independence), so they are skipped. */
    private static final List<String> COMPARED = List.of("rewards/chosen", "rewards/rejected", "rewards/accuracies",
            "rewards/margins", "logps/chosen", "logps/rejected", "nll_loss", "log_odds_ratio", "log_odds_chosen");

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void scoringModelPlusAdapterFilesMatchesFloat64Reference(String fixture) throws Exception {
        Path dir = Path.of(getClass().getResource("/golden/" + fixture + "/golden.json").toURI()).getParent();
        JsonNode orpo = new ObjectMapper().readTree(dir.resolve("golden.json").toFile()).get("orpo");
        List<PreferencePair> pairs = new ArrayList<>();
        for (JsonNode p : orpo.get("pairs")) {
            pairs.add(PreferencePair.ofIds(ints(p.get("prompt")), ints(p.get("chosen")), ints(p.get("rejected"))));
        }
        for (int batchSize : new int[]{1, pairs.size()}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                LlamaModel model = PretrainedLlama.load(dir, dir, manager);
                var config = new ScoreConfig(orpo.get("beta").asDouble(), true, batchSize,
                        orpo.get("pad_token_id").asLong());
                ScoreReport report = new Scorer(model::logits, manager, config).score(pairs);
                JsonNode logps = orpo.get("logps");
                for (int i = 0; i < pairs.size(); i++) {
                    assertEquals(logps.get(i).asDouble(), report.rows().get(i).chosenLogps(), TOL, fixture + " chosen " + i);
                    assertEquals(logps.get(pairs.size() + i).asDouble(), report.rows().get(i).rejectedLogps(), TOL,
                            fixture + " rejected " + i);
                }
                assertEquals(orpo.get("loss").asDouble(), report.summary().get("loss"), TOL, fixture + " loss");
                for (String name : COMPARED) {
                    assertEquals(orpo.get("metrics").get(name).asDouble(), report.summary().get(name), TOL,
                            fixture + " " + name + " (batch " + batchSize + ")");
                }
            }
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
