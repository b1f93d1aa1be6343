package dev.orpo.model.train;

import java.util.Map;

/**
 * One training log entry.
 *
 * @param step            updates completed
 * @param totalSteps      updates in the whole run
 * @param metrics         HF/TRL names: {@code loss}, {@code learning_rate} (the rate of this step's update),
 *                        {@code grad_norm} (before clipping, last update), {@code epoch} (fractional), and TRL's ORPO
 *                        metrics ({@code rewards/chosen} … {@code nll_loss}, {@code log_odds_ratio},
 *                        {@code log_odds_chosen}) averaged over the micro-batches since the previous log
 * @param tokensPerSecond non-padding tokens (chosen + rejected rows) processed per second since the previous log
 * @param elapsedSeconds  seconds since this run (or resume) started
 * @param etaSeconds      estimated seconds to the last update, from the mean step time so far
 */
public record StepLog(int step, int totalSteps, Map<String, Double> metrics, double tokensPerSecond,
                      double elapsedSeconds, double etaSeconds) {

    public StepLog {
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    }

    /** A metric by name; IllegalArgumentException listing the known names if absent. */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "' in " + metrics.keySet());
        }
        return v;
    }
}
