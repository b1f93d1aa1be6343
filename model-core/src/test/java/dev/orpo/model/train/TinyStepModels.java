package dev.orpo.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * What the micro-batch step tests share: a 3-layer synthetic Llama written once per test class (tied and untied
 * variants), loaded with a rank-4 LoRA whose B is random (a fresh B = 0 would give A zero gradients), a few pairs,
 * and per-layer dropout seeds.
 */
abstract class TinyStepModels {
    // hidden 128, 3 layers, 4 heads (2 KV), FFN 256: whole NF4 blocks of 64; vocab 64 as the tiny token space
    static final LlamaConfig CONFIG = SyntheticLlama.config(64, 128, 3, 4, 2, 256);
    /** {@link #CONFIG} with the LM head tied to the embedding. */
    static final LlamaConfig TIED = new LlamaConfig(CONFIG.architecture(), CONFIG.vocabSize(), CONFIG.hiddenSize(),
            CONFIG.intermediateSize(), CONFIG.numHiddenLayers(), CONFIG.numAttentionHeads(),
            CONFIG.numKeyValueHeads(), CONFIG.headDim(), CONFIG.rmsNormEps(), CONFIG.ropeTheta(),
            CONFIG.ropeScaling(), CONFIG.maxPositionEmbeddings(), true, CONFIG.attentionBias(), CONFIG.bosTokenId(),
            CONFIG.eosTokenIds(), CONFIG.padTokenId(), CONFIG.torchDtype());
    static final List<PreferencePair> PAIRS = SyntheticRun.TRAIN.subList(0, 3);
    static final IntConsumer SEEDS = layer -> Engine.getInstance().setRandomSeed(1000 + layer);
    static NDManager manager;
    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The synthetic model ({@code resize}: two rows more, so embeddings and an untied head train) with LoRA. */
    static LlamaModel model(LlamaConfig config, WeightStorage base, double dropout, boolean resize) {
        Path modelDir = dir.resolve(config.tieWordEmbeddings() ? "tied" : "untied");
        if (!modelDir.resolve("model.safetensors").toFile().exists()) {
            SyntheticLlama.write(modelDir, config, 11);
        }
        LlamaModel model = PretrainedLlama.load(modelDir, manager, base);
        if (resize) {
            model.resizeTokenEmbeddings(config.vocabSize() + 2);
        }
        model.applyLora(new LoraConfig(4, 8, dropout, EnumSet.allOf(LoraTarget.class), false, 5));
        Map<String, FloatTensor> weights = new LinkedHashMap<>(TrainableTensors.export(model));
        SplittableRandom rng = new SplittableRandom(3);
        weights.replaceAll((k, t) -> {
            if (!k.contains("lora_B")) {
                return t;
            }
            float[] b = new float[t.data().length];
            for (int j = 0; j < b.length; j++) {
                b[j] = (float) (rng.nextGaussian() * 0.05);
            }
            return new FloatTensor(t.shape(), b);
        });
        TrainableTensors.load(model, weights);
        return model;
    }
}
