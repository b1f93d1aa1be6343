package dev.orpo.bench;

import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.orpo.BatchLayout;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.quant.Nf4Config;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * One measured mode of {@code orpo bench step}, as handed to its child JVM (JSON on the command line).
 *
 * @param modelDir      generated model directory
 * @param base          frozen projections: {@code fp32}, {@code nf4} (double-quantized scales, the seed's QLoRA
 *                      setting) or {@code nf4-fp32-scales}
 * @param checkpointing gradient checkpointing per decoder layer
 * @param head          {@code auto}, {@code full} or a chunk size: {@code training.logits_chunk_size} 0, -1 or N
 * @param layout        {@code training.batch_layout}: two_rows, prefix_shared or packed
 * @param threads       PyTorch intra-op and inter-op threads of the child
 * @param pairs         preference pairs per step (2 rows each)
 * @param prompt        prompt tokens per row
 * @param answer        answer tokens per row (chosen and rejected alike, so no row is padded)
 * @param rank          LoRA rank (alpha = 2r), on all seven projections
 * @param loraDropout   LoRA dropout
 * @param warmup        untimed steps first (allocator and caches warm up)
 * @param steps         timed steps
 * @param matmulSize    n of the n × n × n fp32 matmul that measures the peak
 */
public record StepSpec(String modelDir, String base, boolean checkpointing, String head, String layout, int threads,
                       int pairs, int prompt, int answer, int rank, double loraDropout, int warmup, int steps,
                       int matmulSize) {

    public static final List<String> BASES = List.of("fp32", "nf4", "nf4-fp32-scales");

    public StepSpec {
        if (!BASES.contains(base)) {
            throw new IllegalArgumentException("--base: unknown base '" + base + "', expected one of " + BASES);
        }
        logitsChunkSize(head); // validates
        try {
            BatchLayout.parse(layout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--layout: " + e.getMessage());
        }
        require(threads >= 1, "--threads", threads);
        require(pairs >= 1, "--pairs", pairs);
        require(prompt >= 1, "--prompt", prompt);
        require(answer >= 1, "--answer", answer);
        require(rank >= 1, "--rank", rank);
        require(warmup >= 0, "--warmup", warmup);
        require(steps >= 1, "--steps", steps);
        require(matmulSize >= 1, "--matmul-size", matmulSize);
    }

    /** {@code training.logits_chunk_size} for a head name: auto 0, full -1, else the number. */
    public static int logitsChunkSize(String head) {
        switch (head.toLowerCase(Locale.ROOT)) {
            case "auto":
                return 0;
            case "full":
                return -1;
            default:
                try {
                    int chunk = Integer.parseInt(head);
                    if (chunk >= 1) {
                        return chunk;
                    }
                } catch (NumberFormatException e) {
                    // falls through to the error
                }
                throw new IllegalArgumentException("--head: '" + head + "' is not auto, full or a chunk size >= 1");
        }
    }

    /** NF4 settings of the base, or null for fp32. */
    public Nf4Config nf4() {
        return switch (base) {
            case "nf4" -> Nf4Config.defaults();
            case "nf4-fp32-scales" -> new Nf4Config(Nf4Config.defaults().blockSize(), false);
            default -> null;
        };
    }

    public LoraConfig lora() {
        return new LoraConfig(rank, 2.0 * rank, loraDropout, EnumSet.allOf(LoraTarget.class), false, 42L);
    }

    /** Tokens per row. */
    public int rowLength() {
        return prompt + answer;
    }

    /** Sequence tokens per step: chosen and rejected sequences of every pair (TRL's two rows, unpadded). */
    public long tokensPerStep() {
        return 2L * pairs * rowLength();
    }

    /** The mode as a short label, e.g. {@code nf4 ckpt prefix_shared head=auto t2}. */
    public String label() {
        return base + (checkpointing ? " ckpt" : "") + " " + layout + " head=" + head + " t" + threads;
    }

    private static void require(boolean ok, String flag, int value) {
        if (!ok) {
            throw new IllegalArgumentException(flag + " must be >= " + (flag.equals("--warmup") ? 0 : 1) + ", got "
                    + value);
        }
    }
}
