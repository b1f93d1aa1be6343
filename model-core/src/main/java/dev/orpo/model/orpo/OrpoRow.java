package dev.orpo.model.orpo;

/**
 * ORPO quantities of one preference pair.
 *
 * @param chosenLogps         mean log-prob of the chosen completion tokens
 * @param rejectedLogps       mean log-prob of the rejected completion tokens
 * @param logOdds             log odds ratio of chosen over rejected
 * @param ratio               logsigmoid(logOdds), the pair's odds-ratio term before weighting by beta
 * @param nllSum              summed cross-entropy over the chosen row's SFT tokens
 * @param nllTokens           number of SFT tokens in the chosen row
 * @param chosenLogitSum      sum of the chosen row's logits at predicting positions
 * @param chosenLogitCount    number of logits in {@code chosenLogitSum}
 * @param rejectedLogitSum    sum of the rejected row's logits at predicting positions
 * @param rejectedLogitCount  number of logits in {@code rejectedLogitSum}
 */
public record OrpoRow(double chosenLogps, double rejectedLogps, double logOdds, double ratio, double nllSum,
                      long nllTokens, double chosenLogitSum, long chosenLogitCount, double rejectedLogitSum,
                      long rejectedLogitCount) {

    /** Mean SFT cross-entropy of this row alone. */
    public double nll() {
        return nllSum / nllTokens;
    }
}
