package dev.orpo.bench;

import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.LoraTarget;

import java.util.Set;

/**
 * Model FLOPs per token of one LoRA training step (forward + backward) on a frozen base, counting matmuls only
 * (2 FLOPs per multiply-add; norms, rotary, softmax, SiLU and the optimizer are O(C) per token and left out). The
 * usual {@code 6·N} assumes every weight trains; with LoRA the frozen weights need no weight gradient, so a frozen
 * linear layer costs {@code 2·in·out} forward plus {@code 2·in·out} backward for its input gradient, and that only
 * where its input needs a gradient. Per token, with C hidden, H query / KV key-value heads of size D, F the MLP
 * width, V the vocabulary, T the row length and r the LoRA rank:
 * <ul>
 *   <li>base projections: forward 2·(C·H·D + 2·C·KV·D + H·D·C + 3·C·F) per layer; backward the same for every
 *       projection whose input carries a gradient (with a frozen embedding, layer 0's q/k/v do not);</li>
 *   <li>LoRA on a projection (in → out): forward 2·r·(in + out); backward 2·r·out (∂B) + 2·r·out (∂ through B) +
 *       2·r·in (∂A), plus 2·r·in for the input gradient where the input carries one;</li>
 *   <li>attention: forward 2·H·D·T (Q·Kᵀ) + 2·H·D·T (P·V) per layer, over the full T × T score matrix as it is
 *       computed (PaLM's convention: no discount for the causal mask); backward 2·H·D·T each for ∂P, ∂V, ∂Q, ∂K;</li>
 *   <li>LM head: 2·C·V forward and 2·C·V backward (input gradient) at every position (a trained head adds 2·C·V).</li>
 * </ul>
 * Recomputation (gradient checkpointing's second forward, the chunked head's second projection) is not counted:
 * these are model FLOPs, so MFU = achieved model FLOP/s ÷ peak FLOP/s falls when a mode recomputes.
 *
 * @param baseForward       frozen projections, forward
 * @param baseBackward      frozen projections, input gradients
 * @param lora              LoRA factors, forward and backward
 * @param attention         Q·Kᵀ and P·V, forward and backward
 * @param head              LM head, forward and backward
 */
public record ModelFlops(double baseForward, double baseBackward, double lora, double attention, double head) {

    public double total() {
        return baseForward + baseBackward + lora + attention + head;
    }

    /**
     * @param c          the architecture
     * @param rank       LoRA rank r
     * @param targets    adapted projections
     * @param rowLength  T, tokens per row (every key a query attends to, padding included)
     * @param embedTrains the embedding is trained (then layer 0's input carries a gradient)
     * @param headTrains  the LM head is trained
     */
    public static ModelFlops perToken(LlamaConfig c, int rank, Set<LoraTarget> targets, long rowLength,
                                      boolean embedTrains, boolean headTrains) {
        double cH = c.hiddenSize();
        double q = (double) c.numAttentionHeads() * c.headDim();
        double kv = (double) c.numKeyValueHeads() * c.headDim();
        double f = c.intermediateSize();
        Acc acc = new Acc(rank, targets);
        boolean grad = embedTrains; // does the residual stream entering the layer carry a gradient?
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            // attention block: q, k, v read norm(x)
            boolean qg = acc.linear(LoraTarget.Q, cH, q, grad);
            boolean kg = acc.linear(LoraTarget.K, cH, kv, grad);
            boolean vg = acc.linear(LoraTarget.V, cH, kv, grad);
            acc.attention(c.numAttentionHeads() * (double) c.headDim() * rowLength, qg, kg, vg);
            boolean og = acc.linear(LoraTarget.O, q, cH, qg || kg || vg);
            grad = grad || og;
            // MLP block: gate and up read norm(h), down reads silu(gate) ⊙ up
            boolean gg = acc.linear(LoraTarget.GATE, cH, f, grad);
            boolean ug = acc.linear(LoraTarget.UP, cH, f, grad);
            boolean dg = acc.linear(LoraTarget.DOWN, f, cH, gg || ug);
            grad = grad || dg;
        }
        double v = c.vocabSize();
        double head = 2 * cH * v + (grad ? 2 * cH * v : 0) + (headTrains ? 2 * cH * v : 0);
        return new ModelFlops(acc.baseForward, acc.baseBackward, acc.lora, acc.attention, head);
    }

    /** Sums the terms layer by layer, following which tensors carry a gradient. */
    private static final class Acc {
        final int rank;
        final Set<LoraTarget> targets;
        double baseForward;
        double baseBackward;
        double lora;
        double attention;

        Acc(int rank, Set<LoraTarget> targets) {
            this.rank = rank;
            this.targets = targets;
        }

        /** A frozen projection in → out, with LoRA when targeted; returns whether its output carries a gradient. */
        boolean linear(LoraTarget target, double in, double out, boolean inputGrad) {
            boolean adapted = targets.contains(target);
            boolean outputGrad = inputGrad || adapted;
            baseForward += 2 * in * out;
            if (inputGrad) {
                baseBackward += 2 * in * out; // ∂x = ∂y · W
            }
            if (adapted) {
                lora += 2 * rank * (in + out); // x·Aᵀ, then ·Bᵀ
                lora += 2 * rank * out + 2 * rank * out + 2 * rank * in; // ∂B, ∂(x·Aᵀ), ∂A
                if (inputGrad) {
                    lora += 2 * rank * in; // ∂x through A
                }
            }
            return outputGrad;
        }

        /** hdt = H·D·T per token; Q·Kᵀ and P·V forward, and the backward terms that some gradient needs. */
        void attention(double hdt, boolean qg, boolean kg, boolean vg) {
            attention += 4 * hdt;
            boolean scores = qg || kg;
            attention += (scores ? 2 * hdt : 0) // ∂P = ∂O · Vᵀ
                    + (vg ? 2 * hdt : 0) // ∂V = Pᵀ · ∂O
                    + (qg ? 2 * hdt : 0) // ∂Q = ∂S · K
                    + (kg ? 2 * hdt : 0); // ∂K = ∂Sᵀ · Q
        }
    }
}
