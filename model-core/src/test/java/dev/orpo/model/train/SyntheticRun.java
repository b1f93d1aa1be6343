package dev.orpo.model.train;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;

/** The tiny synthetic model and sorting task shared by the trainer tests. */
final class SyntheticRun {
    static final LlamaConfig CONFIG = SyntheticLlama.tiny();
    static final SyntheticPreferenceTask.Split SPLIT = SyntheticPreferenceTask.defaults().split(64, 32, 5);
    static final List<PreferencePair> TRAIN = SPLIT.trainPairs(TokenSpace.tiny());
    static final List<PreferencePair> EVAL = SPLIT.evalPairs(TokenSpace.tiny());

    private SyntheticRun() {
    }

    /**
     * {@code n} pairs of random tokens with prompts of 3–12 and answers of 1–6 tokens: ragged lengths, unlike the
     * task's fixed ones, for what depends on lengths (grouping, padding).
     */
    static List<PreferencePair> ragged(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(PreferencePair.ofIds(tokens(rng, 3 + rng.nextInt(10)), tokens(rng, 1 + rng.nextInt(6)),
                    tokens(rng, 1 + rng.nextInt(6))));
        }
        return out;
    }

    private static int[] tokens(SplittableRandom rng, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + rng.nextInt(CONFIG.vocabSize() - 1);
        }
        return out;
    }

    /** Writes the base checkpoint once per directory. */
    static Path base(Path dir) {
        Path model = dir.resolve("base");
        if (!Files.exists(model.resolve("model.safetensors"))) {
            SyntheticLlama.write(model, CONFIG, 1);
        }
        return model;
    }

    /** The base model with a fresh rank-8 LoRA on all linear layers. */
    static LlamaModel model(Path baseDir, NDManager manager, double dropout) {
        return model(baseDir, manager, dropout, 8);
    }

    /** The base model with a fresh LoRA of rank {@code r} (alpha 2r) on all linear layers. */
    static LlamaModel model(Path baseDir, NDManager manager, double dropout, int r) {
        try (CheckpointReader reader = CheckpointReader.open(baseDir)) {
            LlamaModel model = PretrainedLlama.load(CONFIG, reader, manager, WeightStorage.DENSE);
            model.applyLora(new LoraConfig(r, 2 * r, dropout, EnumSet.allOf(LoraTarget.class), false, 3));
            return model;
        }
    }

    /** Settings that learn the task quickly: lr 5e-3, short warmup, batch 4. */
    static TrainerConfig fast() {
        return TrainerConfig.defaults().with("learning_rate", "5e-3").with("warmup_steps", "2")
                .with("per_device_train_batch_size", "4").with("gradient_accumulation_steps", "1")
                .with("per_device_eval_batch_size", "16").with("save_steps", "1000").with("beta", "0.5");
    }
}
