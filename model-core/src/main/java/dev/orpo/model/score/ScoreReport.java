package dev.orpo.model.score;

import java.util.List;
import java.util.Map;

/**
 * Per-pair values and the summary over all pairs, computed as if every pair were in one TRL batch: TRL's metric names
 * plus {@code loss}. {@code nll_loss} is the token-weighted mean over all chosen rows; {@code logits/chosen} and
 * {@code logits/rejected} average the logits at real predicting positions only (TRL's single-batch value also
 * averages padding positions, which would make it depend on how pairs are batched).
 */
public record ScoreReport(List<RowScore> rows, Map<String, Double> summary) {
}
