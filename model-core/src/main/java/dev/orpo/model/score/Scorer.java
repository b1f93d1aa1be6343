package dev.orpo.model.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.OrpoOutput;
import dev.orpo.model.orpo.OrpoRow;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scores preference pairs with a model: ORPO per-pair values and a batch-size-independent summary. */
public final class Scorer {

    private final CausalLm model;
    private final NDManager manager;
    private final ScoreConfig config;

    /** @param manager parent of the per-batch arrays (each batch lives in its own NDScope) */
    public Scorer(CausalLm model, NDManager manager, ScoreConfig config) {
        this.model = model;
        this.manager = manager;
        this.config = config;
    }

    /** Scores {@code pairs} in batches of {@code config.batchSize()} pairs, without gradients. */
    public ScoreReport score(List<PreferencePair> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("nothing to score: no preference pairs");
        }
        PreferenceCollator collator = new PreferenceCollator(config.padId(), config.promptLoss());
        List<OrpoRow> all = new ArrayList<>(pairs.size());
        for (int from = 0; from < pairs.size(); from += config.batchSize()) {
            List<PreferencePair> chunk = pairs.subList(from, Math.min(pairs.size(), from + config.batchSize()));
            try (NDScope scope = new NDScope()) {
                PreferenceBatch batch = collator.collate(chunk, manager);
                NDArray logits = model.logits(batch.inputIds(), batch.attention());
                OrpoOutput out = OrpoLoss.compute(logits, batch, config.beta());
                all.addAll(out.rows());
            }
        }
        List<RowScore> rows = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            OrpoRow r = all.get(i);
            rows.add(new RowScore(i, r.chosenLogps(), r.rejectedLogps(), r.logOdds(), r.nll(), r.nllTokens()));
        }
        return new ScoreReport(rows, summarize(all, config.beta()));
    }

    /** TRL's batch metrics over all rows at once; the NLL is token-weighted across rows, as one cross-entropy. */
    static Map<String, Double> summarize(List<OrpoRow> rows, double beta) {
        int n = rows.size();
        double lc = 0, lr = 0, accurate = 0, margin = 0, odds = 0, ratio = 0, nllSum = 0, nllTokens = 0;
        double chosenLogits = 0, chosenCount = 0, rejectedLogits = 0, rejectedCount = 0;
        for (OrpoRow r : rows) {
            lc += r.chosenLogps();
            lr += r.rejectedLogps();
            accurate += beta * r.chosenLogps() > beta * r.rejectedLogps() ? 1 : 0;
            margin += beta * r.chosenLogps() - beta * r.rejectedLogps();
            odds += r.logOdds();
            ratio += r.ratio();
            nllSum += r.nllSum();
            nllTokens += r.nllTokens();
            chosenLogits += r.chosenLogitSum();
            chosenCount += r.chosenLogitCount();
            rejectedLogits += r.rejectedLogitSum();
            rejectedCount += r.rejectedLogitCount();
        }
        double nll = nllSum / nllTokens;
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("loss", nll - beta * ratio / n);
        s.put("rewards/chosen", beta * lc / n);
        s.put("rewards/rejected", beta * lr / n);
        s.put("rewards/accuracies", accurate / n);
        s.put("rewards/margins", margin / n);
        s.put("logps/chosen", lc / n);
        s.put("logps/rejected", lr / n);
        s.put("logits/chosen", chosenLogits / chosenCount);
        s.put("logits/rejected", rejectedLogits / rejectedCount);
        s.put("nll_loss", nll);
        s.put("log_odds_ratio", ratio / n);
        s.put("log_odds_chosen", odds / n);
        return s;
    }
}
