package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.llama.HostArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The ORPO objective exactly as TRL's {@code ORPOTrainer} computes it (Hong, Lee & Thorne 2024, arXiv 2403.07691).
 *
 * <p>With {@code y_w} the chosen and {@code y_l} the rejected answer to prompt {@code x}:
 * <ul>
 *   <li>Eq. (2), SFT term: {@code L_SFT} = token cross-entropy of the chosen sequence; TRL (and this class, by default)
 *       includes the prompt tokens, as the ORPO authors chose; mean over all unmasked chosen tokens of the batch.</li>
 *   <li>Eq. (4), odds: {@code odds(y|x) = P(y|x) / (1 - P(y|x))}, with {@code log P(y|x)} the <em>mean</em> token
 *       log-prob of the completion, so {@code log odds = logP - log(1 - exp(logP))}.</li>
 *   <li>Eq. (5)-(7), odds-ratio term: {@code L_OR = -log σ(log(odds(y_w|x) / odds(y_l|x)))}.</li>
 *   <li>Eq. (6), {@code L_ORPO = E[L_SFT + λ L_OR]}; TRL names λ {@code beta}:
 *       {@code loss = nll - beta * mean(logsigmoid(log_odds))}.</li>
 * </ul>
 * Rewards are {@code beta * logps}, detached, as TRL logs them. The loss is differentiable in the logits through DJL
 * autograd; every other output is for logging.
 */
public final class OrpoLoss {

    private OrpoLoss() {
    }

    /**
     * @param logits (2B, T, V) model output for {@code batch.inputIds()}, chosen rows first
     * @param batch  the collated batch the logits belong to
     * @param beta   λ, weight of the odds-ratio term (TRL default 0.1)
     */
    public static OrpoOutput compute(NDArray logits, PreferenceBatch batch, double beta) {
        int b = batch.pairs();
        int t = batch.length();
        Shape expected = new Shape(2L * b, t);
        if (logits.getShape().dimension() != 3 || !logits.getShape().slice(0, 2).equals(expected)) {
            throw new IllegalArgumentException("logits must have shape (2B, T, V) = " + expected + " + (V), got "
                    + logits.getShape());
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite value >= 0, got " + beta);
        }
        long vocab = logits.getShape().get(2);
        DataType type = logits.getDataType();

        // shift: logits at position t predict the label at t+1
        NDArray logp = logits.get(new NDIndex(":, :{}, :", t - 1)).logSoftmax(-1); // (2B, T-1, V)
        NDArray labels = batch.labels().get(new NDIndex(":, 1:")); // (2B, T-1)

        // mean log-prob of each completion (TRL get_batch_logps, average_log_prob=True)
        NDArray mask = labels.neq(PreferenceBatch.IGNORE_INDEX).toType(type, false); // (2B, T-1)
        NDArray tokenLogp = tokenLogProbs(logp, labels); // (2B, T-1)
        NDArray logps = tokenLogp.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1})); // (2B)
        NDArray chosenLogps = logps.get(new NDIndex(":{}", b)); // (B)
        NDArray rejectedLogps = logps.get(new NDIndex("{}:", b)); // (B)

        // Eq. (2): cross-entropy over the chosen rows' SFT labels, mean over all their tokens
        NDArray nllLabels = batch.nllLabels().get(new NDIndex(":, 1:")); // (B, T-1)
        NDArray nllMask = nllLabels.neq(PreferenceBatch.IGNORE_INDEX).toType(type, false); // (B, T-1)
        NDArray nllTok = tokenLogProbs(logp.get(new NDIndex(":{}", b)), nllLabels).neg().mul(nllMask); // (B, T-1)
        NDArray nllSum = nllTok.sum(new int[] {1}); // (B)
        NDArray nllTokens = nllMask.sum(new int[] {1}); // (B)
        NDArray nll = nllSum.sum().div(nllTokens.sum());

        // Eq. (4)-(7): log odds ratio and its log-sigmoid
        NDArray logOdds = chosenLogps.sub(rejectedLogps)
                .sub(OrpoMath.log1mexp(chosenLogps).sub(OrpoMath.log1mexp(rejectedLogps))); // (B)
        NDArray ratio = OrpoMath.logSigmoid(logOdds); // (B)

        // Eq. (6): L_ORPO = L_SFT - beta * mean(log σ(log odds))
        NDArray loss = nll.sub(ratio.mean().mul(HostArrays.scalar(ratio, beta))); // native-owned scalar: kept by autograd

        // logging: TRL's padded logits means, plus per-row sums over predicting positions
        NDArray shifted = logits.get(new NDIndex(":, :{}, :", t - 1)).stopGradient(); // (2B, T-1, V)
        NDArray predicting = batch.attentionMask().get(new NDIndex(":, 1:")).toType(type, false); // (2B, T-1)
        NDArray rowLogitSum = shifted.sum(new int[] {2}).mul(predicting).sum(new int[] {1}); // (2B)
        NDArray rowLogitCount = predicting.sum(new int[] {1}).mul(vocab); // (2B)
        return new OrpoOutput(loss, nll.stopGradient(), chosenLogps.stopGradient(), rejectedLogps.stopGradient(),
                logOdds.stopGradient(), ratio.stopGradient(), nllSum.stopGradient(), nllTokens,
                shifted.get(new NDIndex(":{}", b)).mean(), shifted.get(new NDIndex("{}:", b)).mean(), rowLogitSum,
                rowLogitCount, beta);
    }

    /** log p(label) per position; ignored labels read token 0 and must be masked by the caller. (R, T-1) */
    private static NDArray tokenLogProbs(NDArray logp, NDArray labels) {
        NDArray safe = labels.mul(labels.neq(PreferenceBatch.IGNORE_INDEX).toType(DataType.INT64, false)); // (R, T-1)
        return logp.gather(safe.expandDims(-1), -1).squeeze(-1); // (R, T-1)
    }
}
