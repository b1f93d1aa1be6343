package dev.orpo.stages.demo;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceExample;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.stages.train.TrainStage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The demo base model's pre-training, two short supervised passes (ORPO at beta 0 is fine-tuning on the chosen
 * answers; each pass a full-rank LoRA on every projection, merged into the weights):
 * <ol>
 *   <li>"sort" questions answered in ascending or descending order with equal odds: the answer format and ordering
 *   letters both ways;</li>
 *   <li>a few steps of descending answers only: the habit, so greedy replies come out in the wrong order.</li>
 * </ol>
 * The result is like a pretrained model before alignment: it knows the task's form and the skill, but not the
 * preferred behaviour, which ORPO then teaches (ascending). Questions in {@code heldOut} (the evaluation prompts) are
 * never trained on.
 */
final class DemoWarmup {
    /** Pair length limits: the longest demo conversation is ~30 tokens. */
    private static final PreferenceTokenizationConfig LENGTHS = new PreferenceTokenizationConfig(64, 48,
            PreferenceTokenizationConfig.TruncationMode.KEEP_END);

    private DemoWarmup() {
    }

    /** Trains on {@code randomModel} and writes the merged model (weights and config) into {@code out}. */
    static void run(Path randomModel, Path out, DemoAssets.Warmup w, long seed, Set<String> heldOut) {
        Path both = out.resolveSibling(out.getFileName() + ".both");
        Path work = out.resolveSibling(out.getFileName() + ".warmup");
        try {
            pass(randomModel, both, work.resolve("both"), w.steps(), w.learningRate(), w.batchSize(), 0.5, seed,
                    heldOut);
            pass(both, out, work.resolve("habit"), w.habitSteps(), w.habitLearningRate(), w.batchSize(), 0.0,
                    seed + 1, heldOut);
            FileTrees.deleteRecursively(both);
            FileTrees.deleteRecursively(work);
        } catch (IOException e) {
            throw new UncheckedIOException("demo warm-up: " + e.getMessage(), e);
        }
    }

    /** One supervised pass over {@code steps × batchSize} questions, merged from {@code in} into {@code out}. */
    static void pass(Path in, Path out, Path work, int steps, double learningRate, int batchSize,
                             double ascendingShare, long seed, Set<String> heldOut) throws IOException {
        TrainStage.gradModeOffOnThisThread();
        try (NDManager manager = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(in, manager);
             HfTokenizer tokenizer = HfTokenizer.load(in)) {
            List<PreferencePair> pairs = pairs(tokenizer, steps * batchSize, ascendingShare, seed, heldOut);
            int rank = model.config().hiddenSize(); // full rank: the merged update is an ordinary weight update
            model.applyLora(new LoraConfig(rank, rank, 0.0, EnumSet.allOf(LoraTarget.class), false, seed));
            TrainerConfig config = TrainerConfig.defaults()
                    .with("learning_rate", Double.toString(learningRate)).with("beta", "0").with("prompt_loss", "false")
                    .with("warmup_steps", Integer.toString(Math.min(20, steps / 10)))
                    .with("per_device_train_batch_size", Integer.toString(batchSize))
                    .with("gradient_accumulation_steps", "1").with("max_steps", Integer.toString(steps))
                    .with("save_steps", Integer.toString(steps)).with("seed", Long.toString(seed));
            new OrpoTrainer(model, config, pairs, List.of(), work, in.toString()).train();
        }
        AdapterMerger.merge(in, work.resolve("checkpoints/step-" + steps), out, MergeOptions.defaults());
        DemoTokenizer.write(out);
    }

    /** {@code n} questions, {@code ascendingShare} of them answered ascending, the others descending. */
    private static List<PreferencePair> pairs(HfTokenizer tokenizer, int n, double ascendingShare, long seed,
                                              Set<String> heldOut) {
        PreferenceTokenizer pt = new PreferenceTokenizer(tokenizer, ChatTemplate.of(tokenizer), LENGTHS);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x3a4dL);
        List<PreferencePair> out = new ArrayList<>(n);
        while (out.size() < n) {
            char[] q = DemoTask.question(rng);
            String question = DemoTask.ask(q);
            if (heldOut.contains(question)) {
                continue;
            }
            char[] order = rng.nextDouble() < ascendingShare ? DemoTask.sorted(q) : DemoTask.descending(q);
            List<ChatMessage> prompt = List.of(ChatMessage.user(question));
            // the rejected side is unused at beta 0
            out.add(pt.tokenize(new PreferenceExample.Conversation(prompt,
                    List.of(ChatMessage.assistant(DemoTask.answer(order))),
                    List.of(ChatMessage.assistant(DemoTask.answer(q))))).pair());
        }
        return out;
    }
}
