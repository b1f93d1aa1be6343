package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.tensor.HostArrays;

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
 * Rewards are {@code beta * logps}, detached, as TRL logs them. The loss is differentiable in the logits (or, through
 * {@link #fromTokenLogps}, in the gathered token log-probs) through DJL autograd; every other output is for logging.
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
        // shift: logits at position t predict the label at t+1
        NDArray shifted = logits.get(new NDIndex(":, :{}, :", t - 1)); // (2B, T-1, V)
        NDArray logp = shifted.logSoftmax(-1); // (2B, T-1, V)
        NDArray labelLogp = tokenLogProbs(logp, batch.labels().get(new NDIndex(":, 1:"))); // (2B, T-1)
        NDArray nllLogp = tokenLogProbs(logp.get(new NDIndex(":{}", b)),
                batch.nllLabels().get(new NDIndex(":, 1:"))); // (B, T-1)
        NDArray positionLogitSum = shifted.stopGradient().sum(new int[] {2}); // (2B, T-1)
        return fromTokenLogps(labelLogp, nllLogp, positionLogitSum, logits.getShape().get(2), batch, beta);
    }

    /**
     * The ORPO loss and TRL's metrics from per-token log-probs: the whole objective once the LM head's log-softmax
     * has been gathered, so a chunked head ({@code dev.orpo.model.train.ChunkedHead}) and {@link #compute} share it.
     * Entries at ignored labels may hold any finite value: they are masked.
     *
     * @param labelLogp        (2B, T-1) log p(labels[:, 1:]) predicted at positions 0 … T-2; the loss is
     *                         differentiable in it
     * @param nllLogp          (B, T-1) log p(nllLabels[:, 1:]) of the chosen rows; differentiable
     * @param positionLogitSum (2B, T-1) sum over the vocabulary of the logits at positions 0 … T-2, for logging
     * @param vocab            V, the number of logits summed at each position
     * @param batch            the collated batch the log-probs belong to
     * @param beta             λ, weight of the odds-ratio term (TRL default 0.1)
     */
    public static OrpoOutput fromTokenLogps(NDArray labelLogp, NDArray nllLogp, NDArray positionLogitSum, long vocab,
                                            PreferenceBatch batch, double beta) {
        int b = batch.pairs();
        int t = batch.length();
        requireShape("labelLogp", labelLogp, new Shape(2L * b, t - 1));
        requireShape("nllLogp", nllLogp, new Shape(b, t - 1));
        requireShape("positionLogitSum", positionLogitSum, new Shape(2L * b, t - 1));
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite value >= 0, got " + beta);
        }
        DataType type = labelLogp.getDataType();

        // mean log-prob of each completion (TRL get_batch_logps, average_log_prob=True)
        NDArray labels = batch.labels().get(new NDIndex(":, 1:")); // (2B, T-1)
        NDArray mask = labels.neq(PreferenceBatch.IGNORE_INDEX).toType(type, false); // (2B, T-1)
        NDArray logps = labelLogp.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1})); // (2B)
        NDArray chosenLogps = logps.get(new NDIndex(":{}", b)); // (B)
        NDArray rejectedLogps = logps.get(new NDIndex("{}:", b)); // (B)

        // Eq. (2): cross-entropy over the chosen rows' SFT labels, mean over all their tokens
        NDArray nllLabels = batch.nllLabels().get(new NDIndex(":, 1:")); // (B, T-1)
        NDArray nllMask = nllLabels.neq(PreferenceBatch.IGNORE_INDEX).toType(type, false); // (B, T-1)
        NDArray nllTok = nllLogp.neg().mul(nllMask); // (B, T-1)
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
        NDArray sums = positionLogitSum.stopGradient().toType(type, false); // (2B, T-1)
        double perHalf = (double) b * (t - 1) * vocab; // logits in logits[:B, :-1, :]
        NDArray predicting = batch.attentionMask().get(new NDIndex(":, 1:")).toType(type, false); // (2B, T-1)
        NDArray rowLogitSum = sums.mul(predicting).sum(new int[] {1}); // (2B)
        NDArray rowLogitCount = predicting.sum(new int[] {1}).mul(vocab); // (2B)
        return new OrpoOutput(loss, nll.stopGradient(), chosenLogps.stopGradient(), rejectedLogps.stopGradient(),
                logOdds.stopGradient(), ratio.stopGradient(), nllSum.stopGradient(), nllTokens,
                sums.get(new NDIndex(":{}", b)).sum().div(perHalf), sums.get(new NDIndex("{}:", b)).sum().div(perHalf),
                rowLogitSum, rowLogitCount, beta);
    }

    private static void requireShape(String name, NDArray a, Shape expected) {
        if (!a.getShape().equals(expected)) {
            throw new IllegalArgumentException(name + " must have shape " + expected + ", got " + a.getShape());
        }
    }

    /** log p(label) per position; ignored labels read token 0 and must be masked by the caller. (R, T-1) */
    public static NDArray tokenLogProbs(NDArray logp, NDArray labels) {
        NDArray safe = labels.mul(labels.neq(PreferenceBatch.IGNORE_INDEX).toType(DataType.INT64, false)); // (R, T-1)
        return logp.gather(safe.expandDims(-1), -1).squeeze(-1); // (R, T-1)
    }
}
