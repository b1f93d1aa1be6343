package dev.orpo.model.eval;

import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.ScoreReport;
import dev.orpo.model.score.Scorer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Held-out preference pairs through the ORPO {@link Scorer}, reported under TRL's evaluation names. */
public final class PreferenceEval {
    /** TRL prefixes metrics computed during evaluation with this. */
    public static final String PREFIX = "eval_";

    private PreferenceEval() {
    }

    /** {@code eval_loss}, {@code eval_rewards/accuracies}, {@code eval_nll_loss}, … */
    public static Map<String, Double> evaluate(Scorer scorer, List<PreferencePair> pairs) {
        return prefixed(scorer.score(pairs));
    }

    public static Map<String, Double> prefixed(ScoreReport report) {
        Map<String, Double> out = new LinkedHashMap<>();
        report.summary().forEach((name, value) -> out.put(PREFIX + name, value));
        return out;
    }
}
