package dev.orpo.model.score;

/**
 * ORPO values of one scored pair.
 *
 * @param index         0-based position of the pair in the scored list
 * @param chosenLogps   mean log-prob of the chosen completion
 * @param rejectedLogps mean log-prob of the rejected completion
 * @param logOdds       log odds ratio chosen over rejected
 * @param nll           mean cross-entropy of the chosen row's NLL tokens
 * @param nllTokens     number of NLL tokens of the chosen row
 */
public record RowScore(int index, double chosenLogps, double rejectedLogps, double logOdds, double nll,
                       long nllTokens) {
}
