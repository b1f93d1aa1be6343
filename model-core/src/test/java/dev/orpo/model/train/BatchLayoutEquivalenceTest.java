package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.BatchLayout;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.OrpoOutput;
import dev.orpo.model.orpo.OrpoRow;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.quant.Nf4Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prefix sharing and packing compute fewer tokens than TRL's two-row layout and give the same loss, metrics and
 * gradients: per pair, per micro-batch step (plain, checkpointed, chunked head, NF4, resized embeddings, with and
 * without prompt loss), whatever the packing.
 */
class BatchLayoutEquivalenceTest extends TinyStepModels {
    static final double BETA = 0.5;
    /** TRL's logits means read padding in the two-row layout; the others have none inside sequences. */
    static final Set<String> PADDING_METRICS = Set.of("logits/chosen", "logits/rejected");
    /** Prompt-heavy pairs of ragged lengths, and the two edge cases of a shared prefix. */
    static final List<PreferencePair> RAGGED = pairs();

    static List<PreferencePair> pairs() {
        SplittableRandom rng = new SplittableRandom(17);
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(PreferencePair.ofIds(ids(rng, 6 + rng.nextInt(9)), ids(rng, 1 + rng.nextInt(4)),
                    ids(rng, 2 + rng.nextInt(4))));
        }
        // TRL moved the rejected answer's start back by one token: prompt lengths 7 and 6, the 7th tokens differ
        int[] prompt = ids(rng, 7);
        int[] chosen = concat(prompt, ids(rng, 3));
        int[] rejected = concat(Arrays.copyOf(prompt, 6), new int[] {prompt[6] % 60 + 2, 5, 9, 11});
        out.add(new PreferencePair(chosen, 7, rejected, 6));
        // a one-token prompt: nothing to share, the two sequences sit side by side
        out.add(PreferencePair.ofIds(ids(rng, 1), ids(rng, 3), ids(rng, 2)));
        return out;
    }

    @Test
    void everyLayoutGivesEachPairTheTwoRowLossTermsAndLogitSums() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.0, false)) {
            List<OrpoRow> expected = output(model, RAGGED, collator(BatchLayout.TWO_ROWS, 0, true)).rows();
            double chosenMean = logitMean(expected, true);
            double rejectedMean = logitMean(expected, false);
            for (PreferenceCollator c : List.of(collator(BatchLayout.PREFIX_SHARED, 0, true),
                    collator(BatchLayout.PACKED, 0, true), collator(BatchLayout.PACKED, 24, true),
                    collator(BatchLayout.PACKED, 1000, true))) {
                Output out = output(model, RAGGED, c);
                assertRowsClose(expected, out.rows(), c.toString());
                // no padding inside sequences: the logits means are over the sequences' own predicting positions
                assertEquals(chosenMean, out.metrics().get("logits/chosen"), 1e-5 * Math.max(1, Math.abs(chosenMean)));
                assertEquals(rejectedMean, out.metrics().get("logits/rejected"),
                        1e-5 * Math.max(1, Math.abs(rejectedMean)));
            }
        }
    }

    @Test
    void packedResultsDoNotDependOnPairOrderOrRowLength() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.0, false)) {
            List<PreferencePair> reversed = new ArrayList<>(RAGGED);
            Collections.reverse(reversed);
            List<OrpoRow> forward = output(model, RAGGED, collator(BatchLayout.PACKED, 0, true)).rows();
            for (int rowLength : new int[] {0, 30, 1000}) {
                List<OrpoRow> backward = new ArrayList<>(
                        output(model, reversed, collator(BatchLayout.PACKED, rowLength, true)).rows());
                Collections.reverse(backward);
                assertRowsClose(forward, backward, "reversed, row length " + rowLength);
            }
        }
    }

    @ParameterizedTest(name = "{0}, checkpointing {1}, chunk {2}, prompt loss {3}")
    @CsvSource({
            "PREFIX_SHARED, false, 0, true",
            "PREFIX_SHARED, true, 0, true",
            "PREFIX_SHARED, false, 7, true",
            "PREFIX_SHARED, true, 7, false",
            "PREFIX_SHARED, false, 0, false",
            "PACKED, false, 0, true",
            "PACKED, true, 11, true"})
    void stepEqualsTheTwoRowStep(BatchLayout layout, boolean checkpointing, int chunk, boolean promptLoss) {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.0, false)) {
            StepRun twoRows = step(model, collator(BatchLayout.TWO_ROWS, 0, promptLoss), false, 0);
            StepRun other = step(model, collator(layout, layout == BatchLayout.PACKED ? 40 : 0, promptLoss),
                    checkpointing, chunk);
            StepRun.assertSameStep(twoRows, other, 1e-5, 1e-5, layout + " vs two rows", PADDING_METRICS);
        }
    }

    @Test
    void prefixSharedStepEqualsTheTwoRowStepOnAnNf4Base() {
        try (LlamaModel model = model(CONFIG, new Nf4Storage(Nf4Config.defaults()), 0.0, false)) {
            StepRun.assertSameStep(step(model, collator(BatchLayout.TWO_ROWS, 0, true), false, 0),
                    step(model, collator(BatchLayout.PREFIX_SHARED, 0, true), false, 0), 1e-5, 1e-5,
                    "nf4, prefix shared vs two rows", PADDING_METRICS);
        }
    }

    @Test
    void prefixSharedStepReachesResizedEmbeddingsAndUntiedHeadAsTheTwoRowStep() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.0, true)) {
            StepRun.assertSameStep(step(model, collator(BatchLayout.TWO_ROWS, 0, true), false, 0),
                    step(model, collator(BatchLayout.PREFIX_SHARED, 0, true), true, 9), 1e-5, 1e-5,
                    "resized, prefix shared checkpointed chunked vs two rows", PADDING_METRICS);
        }
    }

    @Test
    void withEqualLengthsEveryMetricMatchesTrlsTwoRowValues() {
        SplittableRandom rng = new SplittableRandom(5);
        List<PreferencePair> even = List.of(PreferencePair.ofIds(ids(rng, 9), ids(rng, 3), ids(rng, 3)),
                PreferencePair.ofIds(ids(rng, 9), ids(rng, 3), ids(rng, 3)));
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.0, false)) {
            StepRun twoRows = StepRun.of(model, even, collator(BatchLayout.TWO_ROWS, 0, true), options(false, 0));
            StepRun shared = StepRun.of(model, even, collator(BatchLayout.PREFIX_SHARED, 0, true), options(false, 0));
            StepRun.assertSameStep(twoRows, shared, 1e-5, 1e-5, "no padding: every metric");
        }
    }

    /**
     * With LoRA dropout the masks are drawn per computed token, so a layout that computes a prompt once cannot draw
     * the two-row layout's two masks for it; what must hold is that its checkpointed recompute redraws its own.
     */
    @Test
    void withLoraDropoutAPrefixSharedCheckpointedStepEqualsItsPlainStep() {
        try (LlamaModel model = model(CONFIG, WeightStorage.DENSE, 0.3, false)) {
            PreferenceCollator shared = collator(BatchLayout.PREFIX_SHARED, 0, true);
            StepRun plain = step(model, shared, false, 0);
            StepRun.assertSameStep(plain, step(model, shared, true, 0), 1e-6, 1e-5, "dropout, checkpointed vs plain");
            StepRun otherSeed = StepRun.of(model, RAGGED, shared, MicroBatchStep.Options.of(BETA, 2)
                    .beforeEachLayer(layer -> Engine.getInstance().setRandomSeed(7 + layer)));
            assertTrue(StepRun.maxDiff(plain.gradients(), otherSeed.gradients()) > 1e-3, "dropout acts");
        }
    }

    @Test
    void sharingAndPackingComputeFewerTokens() {
        try (NDScope scope = new NDScope()) {
            PreferenceBatch two = collator(BatchLayout.TWO_ROWS, 0, true).collate(RAGGED, manager);
            PreferenceBatch shared = collator(BatchLayout.PREFIX_SHARED, 0, true).collate(RAGGED, manager);
            PreferenceBatch packed = collator(BatchLayout.PACKED, 1000, true).collate(RAGGED, manager);
            int real = 0;
            for (PreferencePair p : RAGGED) {
                real += p.chosenInputIds().length + p.rejectedInputIds().length;
            }
            long sharedReal = (long) shared.attentionMask().sum().getLong();
            assertEquals(real, (long) two.attentionMask().sum().getLong());
            assertTrue(sharedReal < real, sharedReal + " < " + real);
            assertEquals(1, packed.rows());
            assertEquals(sharedReal, (long) packed.rows() * packed.length(), "one packed row: no padding at all");
            assertTrue(shared.rows() * shared.length() < two.rows() * two.length());
        }
    }

    @Test
    void trainerInEveryLayoutLearnsTheTwoRowAdapterAndEvaluatesTheSame() {
        // two micro-batches of 2 per update, three updates, no dropout (its masks are drawn per computed token)
        TrainerConfig config = SyntheticRun.fast().with("per_device_train_batch_size", "2")
                .with("gradient_accumulation_steps", "2").with("max_steps", "3").with("per_device_eval_batch_size", "3");
        List<PreferencePair> rows = SyntheticRun.TRAIN.subList(0, 12);
        List<PreferencePair> eval = SyntheticRun.TRAIN.subList(12, 18);
        Path base = SyntheticRun.base(dir);
        Map<String, float[]> twoRows = null;
        Map<String, Double> twoRowEval = null;
        for (String layout : List.of("two_rows", "prefix_shared", "packed")) {
            try (LlamaModel model = SyntheticRun.model(base, manager, 0.0)) {
                OrpoTrainer trainer = new OrpoTrainer(model, config.with("batch_layout", layout), rows, eval,
                        dir.resolve(layout), "tiny");
                TrainResult r = trainer.train();
                assertEquals(layout, TrainerState.read(r.finalCheckpoint()).config().get("batch_layout"));
                Map<String, float[]> adapter = OrpoTrainerTest.host(model);
                Map<String, Double> metrics = trainer.evaluate();
                if (twoRows == null) {
                    twoRows = adapter;
                    twoRowEval = metrics;
                    continue;
                }
                AccumulationAndResumeTest.assertClose(twoRows, adapter, 1e-5);
                assertEquals(twoRowEval.keySet(), metrics.keySet());
                for (Map.Entry<String, Double> e : twoRowEval.entrySet()) {
                    if (!PADDING_METRICS.contains(e.getKey().replace("eval_", ""))) {
                        assertEquals(e.getValue(), metrics.get(e.getKey()), 1e-5 * Math.max(1, Math.abs(e.getValue())),
                                layout + ": " + e.getKey());
                    }
                }
            }
        }
        try (LlamaModel fresh = SyntheticRun.model(base, manager, 0.0)) {
            assertTrue(StepRun.maxDiff(twoRows, OrpoTrainerTest.host(fresh)) > 1e-4, "training moved the adapter");
        }
    }

    private static StepRun step(LlamaModel model, PreferenceCollator collator, boolean checkpointing, int chunk) {
        return StepRun.of(model, RAGGED, collator, options(checkpointing, chunk));
    }

    /** n = 2, so the 1/n scaling shows. */
    private static MicroBatchStep.Options options(boolean checkpointing, int chunk) {
        return MicroBatchStep.Options.of(BETA, 2).withGradientCheckpointing(checkpointing).withLogitsChunkSize(chunk)
                .beforeEachLayer(SEEDS);
    }

    private static PreferenceCollator collator(BatchLayout layout, int rowLength, boolean promptLoss) {
        return new PreferenceCollator(0, promptLoss, layout, rowLength);
    }

    /** An ORPO output read to the host: per-pair rows and the batch metrics. */
    private record Output(List<OrpoRow> rows, Map<String, Double> metrics) {
    }

    private static Output output(LlamaModel model, List<PreferencePair> pairs, PreferenceCollator collator) {
        model.setTraining(false);
        try (NDScope scope = new NDScope()) {
            PreferenceBatch batch = collator.collate(pairs, manager);
            OrpoOutput out = OrpoLoss.compute(model.logits(batch.inputIds(), batch.attention()), batch, BETA);
            return new Output(out.rows(), out.metrics());
        }
    }

    private static void assertRowsClose(List<OrpoRow> expected, List<OrpoRow> actual, String where) {
        assertEquals(expected.size(), actual.size(), where);
        for (int i = 0; i < expected.size(); i++) {
            OrpoRow e = expected.get(i);
            OrpoRow a = actual.get(i);
            String at = where + ", pair " + i + ": ";
            close(e.chosenLogps(), a.chosenLogps(), at + "chosen logps");
            close(e.rejectedLogps(), a.rejectedLogps(), at + "rejected logps");
            close(e.logOdds(), a.logOdds(), at + "log odds");
            close(e.ratio(), a.ratio(), at + "ratio");
            close(e.nllSum(), a.nllSum(), at + "nll sum");
            assertEquals(e.nllTokens(), a.nllTokens(), at + "nll tokens");
            close(e.chosenLogitSum(), a.chosenLogitSum(), at + "chosen logit sum");
            assertEquals(e.chosenLogitCount(), a.chosenLogitCount(), at + "chosen logit count");
            close(e.rejectedLogitSum(), a.rejectedLogitSum(), at + "rejected logit sum");
            assertEquals(e.rejectedLogitCount(), a.rejectedLogitCount(), at + "rejected logit count");
        }
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), what);
    }

    private static double logitMean(List<OrpoRow> rows, boolean chosen) {
        double sum = 0;
        double count = 0;
        for (OrpoRow r : rows) {
            sum += chosen ? r.chosenLogitSum() : r.rejectedLogitSum();
            count += chosen ? r.chosenLogitCount() : r.rejectedLogitCount();
        }
        return sum / count;
    }

    static int[] ids(SplittableRandom rng, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + rng.nextInt(63);
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
