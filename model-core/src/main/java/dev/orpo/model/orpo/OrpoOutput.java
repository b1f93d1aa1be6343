package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Result of {@link OrpoLoss#compute} (or {@link OrpoLoss#fromTokenLogps}): the differentiable loss and the detached
 * quantities TRL logs.
 *
 * @param loss            scalar {@code L_ORPO = nll - beta * mean(logsigmoid(log_odds))}, differentiable
 * @param nllLoss         scalar SFT term: mean cross-entropy over all unmasked chosen tokens
 * @param chosenLogps     (B) mean log-prob of each chosen completion
 * @param rejectedLogps   (B) mean log-prob of each rejected completion
 * @param logOdds         (B) log odds ratio per pair
 * @param ratio           (B) logsigmoid(log_odds) per pair
 * @param nllSum          (B) summed token cross-entropy of each chosen row's SFT labels
 * @param nllTokens       (B) number of SFT tokens per chosen row
 * @param logitsChosen    scalar TRL {@code logits/chosen}: mean over all of {@code logits[:B, :-1, :]} (padding included)
 *                        in the two-row layout, over the chosen sequences' predicting positions in the others
 * @param logitsRejected  scalar TRL {@code logits/rejected}, likewise for the rejected sequences
 * @param rowLogitSum     (2B) sum of the logits at each sequence's predicting positions (those followed by a token of
 *                        the sequence), chosen sequences first
 * @param rowLogitCount   (2B) number of logits in that sum (positions × vocabulary)
 * @param beta            the odds-ratio weight λ (TRL's {@code beta}) used
 */
public record OrpoOutput(NDArray loss, NDArray nllLoss, NDArray chosenLogps, NDArray rejectedLogps, NDArray logOdds,
                         NDArray ratio, NDArray nllSum, NDArray nllTokens, NDArray logitsChosen,
                         NDArray logitsRejected, NDArray rowLogitSum, NDArray rowLogitCount, double beta) {

    /** TRL's logged metric names and values for this batch (train names; prefix {@code eval_} in evaluation). */
    public Map<String, Double> metrics() {
        double[] lc = values(chosenLogps);
        double[] lr = values(rejectedLogps);
        int b = lc.length;
        double accurate = 0;
        double margin = 0;
        for (int i = 0; i < b; i++) {
            accurate += beta * lc[i] > beta * lr[i] ? 1 : 0;
            margin += beta * lc[i] - beta * lr[i];
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rewards/chosen", beta * mean(lc));
        m.put("rewards/rejected", beta * mean(lr));
        m.put("rewards/accuracies", accurate / b);
        m.put("rewards/margins", margin / b);
        m.put("logps/chosen", mean(lc));
        m.put("logps/rejected", mean(lr));
        m.put("logits/chosen", scalar(logitsChosen));
        m.put("logits/rejected", scalar(logitsRejected));
        m.put("nll_loss", scalar(nllLoss));
        m.put("log_odds_ratio", mean(values(ratio)));
        m.put("log_odds_chosen", mean(values(logOdds)));
        return m;
    }

    /** Per-pair view, in batch order. */
    public List<OrpoRow> rows() {
        double[] lc = values(chosenLogps);
        double[] lr = values(rejectedLogps);
        double[] odds = values(logOdds);
        double[] r = values(ratio);
        double[] sum = values(nllSum);
        double[] tokens = values(nllTokens);
        double[] logitSum = values(rowLogitSum);
        double[] logitCount = values(rowLogitCount);
        int b = lc.length;
        List<OrpoRow> rows = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            rows.add(new OrpoRow(lc[i], lr[i], odds[i], r[i], sum[i], (long) tokens[i], logitSum[i],
                    (long) logitCount[i], logitSum[b + i], (long) logitCount[b + i]));
        }
        return rows;
    }

    /** The scalar loss as a double. */
    public double lossValue() {
        return scalar(loss);
    }

    static double scalar(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    static double[] values(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }
}
