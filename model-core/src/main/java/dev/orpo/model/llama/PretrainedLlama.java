package dev.orpo.model.llama;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.TensorSource;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.WeightStorage;

import java.nio.file.Path;

/**
 * {@code from_pretrained} for our model: a Hugging Face model directory (config.json + one or more safetensors files),
 * optionally with a PEFT LoRA adapter directory on top ({@code PeftModel.from_pretrained}). Weights are widened to
 * fp32 into a new sub-manager of the caller's; closing the model frees them. A missing tensor or a wrong shape fails
 * with an IllegalArgumentException naming the tensor.
 */
public final class PretrainedLlama {
    private PretrainedLlama() {
    }

    /** Loads an HF model directory: config.json plus model.safetensors or a sharded index (any float dtype). */
    public static LlamaModel load(Path modelDir, NDManager parent) {
        return load(modelDir, parent, WeightStorage.DENSE);
    }

    /** The same with the frozen projections stored by {@code storage} (QLoRA: an NF4 storage). */
    public static LlamaModel load(Path modelDir, NDManager parent, WeightStorage storage) {
        LlamaConfig config = HfConfigReader.read(modelDir);
        try (CheckpointReader weights = CheckpointReader.open(modelDir)) {
            return load(config, weights, parent, storage);
        }
    }

    /**
     * Builds a model from tensors under Hugging Face names; the frozen q/k/v/o/gate/up/down projections are stored by
     * {@code storage} (e.g. NF4), embeddings, norms and the LM head stay fp32, as bitsandbytes leaves them.
     */
    public static LlamaModel load(LlamaConfig config, TensorSource weights, NDManager parent, WeightStorage storage) {
        NDManager manager = parent.newSubManager();
        try {
            return LlamaLoader.load(config, weights, manager, storage);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads {@code modelDir} and applies the adapter in {@code adapterDir} (null: none). A saved embed_tokens /
     * lm_head with more rows than the base (tokens added by a chat-template setup) resizes the model first; every
     * module in the adapter's {@code modules_to_save} is replaced by its saved tensor.
     */
    public static LlamaModel load(Path modelDir, Path adapterDir, NDManager parent) {
        return load(modelDir, adapterDir, parent, WeightStorage.DENSE);
    }

    /** The same with the frozen projections stored by {@code storage}. */
    public static LlamaModel load(Path modelDir, Path adapterDir, NDManager parent, WeightStorage storage) {
        LlamaModel model = load(modelDir, parent, storage);
        if (adapterDir == null) {
            return model;
        }
        try {
            PeftAdapter adapter = PeftAdapterFiles.read(adapterDir);
            FloatTensor embed = adapter.tensors().get(TrainableTensors.EMBED_KEY);
            if (embed != null && embed.shape()[0] > model.config().vocabSize()) {
                model.resizeTokenEmbeddings(Math.toIntExact(embed.shape()[0]));
            }
            adapter.validateAgainst(model.config().architecture(), WeightShapes.expected(model.config()));
            model.applyLora(LoraConfig.fromPeft(adapter.config(), 0L));
            TrainableTensors.trainModules(model, adapter.config().modulesToSave()); // replaced whole by the adapter
            TrainableTensors.load(model, adapter.tensors());
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("cannot apply adapter " + adapterDir + " to " + modelDir + ": "
                    + e.getMessage(), e);
        }
    }
}
