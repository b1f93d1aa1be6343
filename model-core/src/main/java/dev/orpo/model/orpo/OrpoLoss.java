package dev.orpo.model.orpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.tensor.HostArrays;
import dev.orpo.model.tensor.LogProbs;

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
 * Per-sequence sums over positions are taken as products with 0/1 membership matrices, so one code path serves every
 * {@link BatchLayout}: a sequence's tokens may sit in its own row, share a prompt with the other side, or share a row
 * with other pairs.
 *
 * <p>One metric depends on the layout: TRL's {@code logits/chosen} and {@code logits/rejected} average the logits of
 * every position of the chosen (rejected) rows, padding included. With {@link BatchLayout#TWO_ROWS} they are exactly
 * that; the other layouts have no padding inside a sequence, and average over the sequences' own predicting positions,
 * which equals TRL's value whenever TRL's batch needs no padding.
 */
public final class OrpoLoss {

    private OrpoLoss() {
    }

    /**
     * @param logits (R, T, V) model output for {@code batch.inputIds()}
     * @param batch  the collated batch the logits belong to (any {@link BatchLayout})
     * @param beta   λ, weight of the odds-ratio term (TRL default 0.1)
     */
    public static OrpoOutput compute(NDArray logits, PreferenceBatch batch, double beta) {
        int t = batch.length();
        Shape expected = batch.inputIds().getShape();
        if (logits.getShape().dimension() != 3 || !logits.getShape().slice(0, 2).equals(expected)) {
            throw new IllegalArgumentException("logits must have shape (R, T, V) = " + expected + " + (V), got "
                    + logits.getShape());
        }
        // shift: logits at position t predict the token at t+1
        NDArray shifted = logits.get(new NDIndex(":, :{}, :", t - 1)); // (R, T-1, V)
        NDArray tokenLogp = LogProbs.ofTargets(shifted, batch.inputIds().get(new NDIndex(":, 1:"))); // (R, T-1)
        NDArray positionLogitSum = shifted.stopGradient().sum(new int[] {2}); // (R, T-1)
        return fromTokenLogps(tokenLogp, positionLogitSum, logits.getShape().get(2), batch, beta);
    }

    /**
     * The ORPO loss and TRL's metrics from per-position log-probs of the next token: the whole objective once the LM
     * head's log-softmax has been gathered, so a chunked head ({@code dev.orpo.model.train.ChunkedHead}) and
     * {@link #compute} share it. Positions that predict nothing may hold any finite value: they are masked.
     *
     * @param tokenLogp        (R, T-1) log p(inputIds[:, t+1]) at each position t; the loss is differentiable in it
     * @param positionLogitSum (R, T-1) sum over the vocabulary of the logits at each position, for logging
     * @param vocab            V, the number of logits summed at each position
     * @param batch            the collated batch the log-probs belong to
     * @param beta             λ, weight of the odds-ratio term (TRL default 0.1)
     */
    public static OrpoOutput fromTokenLogps(NDArray tokenLogp, NDArray positionLogitSum, long vocab,
                                            PreferenceBatch batch, double beta) {
        int b = batch.pairs();
        Shape predicting = batch.answerOf().getShape();
        requireShape("tokenLogp", tokenLogp, predicting);
        requireShape("positionLogitSum", positionLogitSum, predicting);
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite value >= 0, got " + beta);
        }
        DataType type = tokenLogp.getDataType();
        long n = predicting.size();
        NDArray logp = tokenLogp.reshape(n, 1); // (N, 1), N = R·(T-1) predicting positions

        // mean log-prob of each completion (TRL get_batch_logps, average_log_prob=True); chosen sequences first
        NDArray answers = membership(batch.answerOf(), 2 * b, type); // (2B, N)
        NDArray logps = answers.matMul(logp).reshape(2L * b).div(answers.sum(new int[] {1})); // (2B)
        NDArray chosenLogps = logps.get(new NDIndex(":{}", b)); // (B)
        NDArray rejectedLogps = logps.get(new NDIndex("{}:", b)); // (B)

        // Eq. (2): cross-entropy over the chosen sequences' SFT labels, mean over all their tokens
        NDArray sft = membership(batch.sftOf(), b, type); // (B, N)
        NDArray nllSum = sft.matMul(logp).reshape(b).neg(); // (B)
        NDArray nllTokens = sft.sum(new int[] {1}); // (B)
        NDArray nll = nllSum.sum().div(nllTokens.sum());

        // Eq. (4)-(7): log odds ratio and its log-sigmoid
        NDArray logOdds = chosenLogps.sub(rejectedLogps)
                .sub(OrpoMath.log1mexp(chosenLogps).sub(OrpoMath.log1mexp(rejectedLogps))); // (B)
        NDArray ratio = OrpoMath.logSigmoid(logOdds); // (B)

        // Eq. (6): L_ORPO = L_SFT - beta * mean(log σ(log odds))
        NDArray loss = nll.sub(ratio.mean().mul(HostArrays.scalar(ratio, beta))); // native-owned scalar: kept by autograd

        // logging: logits sums over each sequence's predicting positions, and the logits means
        NDArray sums = positionLogitSum.stopGradient().toType(type, false); // (R, T-1)
        NDArray flatSums = sums.reshape(n, 1); // (N, 1)
        NDArray chosenPositions = membership(batch.chosenLogitsOf(), b, type); // (B, N)
        NDArray rejectedPositions = membership(batch.rejectedLogitsOf(), b, type); // (B, N)
        NDArray rowLogitSum = NDArrays.concat(new NDList(chosenPositions.matMul(flatSums),
                rejectedPositions.matMul(flatSums)), 0).reshape(2L * b); // (2B)
        NDArray rowLogitCount = NDArrays.concat(new NDList(chosenPositions.sum(new int[] {1}),
                rejectedPositions.sum(new int[] {1})), 0).mul(vocab); // (2B)
        NDArray logitsChosen;
        NDArray logitsRejected;
        if (batch.layout() == BatchLayout.TWO_ROWS) {
            // TRL: logits[:B, :-1, :].mean(), padding positions included
            double perHalf = (double) b * (batch.length() - 1) * vocab;
            logitsChosen = sums.get(new NDIndex(":{}", b)).sum().div(perHalf);
            logitsRejected = sums.get(new NDIndex("{}:", b)).sum().div(perHalf);
        } else {
            // no padding inside sequences: the mean over the sequences' own predicting positions
            NDIndex chosen = new NDIndex(":{}", b);
            NDIndex rejected = new NDIndex("{}:", b);
            logitsChosen = rowLogitSum.get(chosen).sum().div(rowLogitCount.get(chosen).sum());
            logitsRejected = rowLogitSum.get(rejected).sum().div(rowLogitCount.get(rejected).sum());
        }
        return new OrpoOutput(loss, nll.stopGradient(), chosenLogps.stopGradient(), rejectedLogps.stopGradient(),
                logOdds.stopGradient(), ratio.stopGradient(), nllSum.stopGradient(), nllTokens, logitsChosen,
                logitsRejected, rowLogitSum, rowLogitCount, beta);
    }

    /** (K, N) 0/1 of type {@code type}: row k marks the positions whose entry in {@code owners} (R, T-1) is k. */
    private static NDArray membership(NDArray owners, int k, DataType type) {
        NDArray flat = owners.reshape(1, owners.size()); // (1, N)
        NDArray ids = owners.getManager().arange(0, k, 1, DataType.INT64).reshape(k, 1); // (K, 1)
        return flat.eq(ids).toType(type, false); // (K, N)
    }

    private static void requireShape(String name, NDArray a, Shape expected) {
        if (!a.getShape().equals(expected)) {
            throw new IllegalArgumentException(name + " must have shape " + expected + ", got " + a.getShape());
        }
    }
}
