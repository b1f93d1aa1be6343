package dev.orpo.model.llama;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterFiles;

import java.nio.file.Path;

/**
 * {@code from_pretrained} for our model: a Hugging Face model directory (config.json + one or more safetensors files),
 * optionally with a PEFT LoRA adapter directory on top ({@code PeftModel.from_pretrained}).
 */
public final class PretrainedLlama {
    private PretrainedLlama() {
    }

    /**
     * Loads {@code modelDir} and applies the adapter in {@code adapterDir} (null: none). A saved embed_tokens /
     * lm_head with more rows than the base (tokens added by a chat-template setup) resizes the model first; every
     * module in the adapter's {@code modules_to_save} is replaced by its saved tensor.
     */
    public static LlamaModel load(Path modelDir, Path adapterDir, NDManager manager) {
        return load(modelDir, adapterDir, manager, LlamaModel.DENSE);
    }

    /** The same with the frozen projections stored by {@code base} (QLoRA: an NF4 storage). */
    public static LlamaModel load(Path modelDir, Path adapterDir, NDManager manager, FrozenWeights base) {
        LlamaModel model = LlamaModel.load(modelDir, manager, base);
        if (adapterDir == null) {
            return model;
        }
        try {
            PeftAdapter adapter = PeftAdapterFiles.read(adapterDir);
            FloatTensor embed = adapter.tensors().get(TrainableTensors.EMBED_KEY);
            if (embed != null && embed.shape()[0] > model.config().vocabSize()) {
                model.resizeTokenEmbeddings(Math.toIntExact(embed.shape()[0]));
            }
            adapter.validateAgainst(model.config());
            model.applyLora(LoraConfig.fromPeft(adapter.config(), 0L));
            TrainableTensors.trainModules(model, adapter.config().modulesToSave()); // replaced whole by the adapter
            model.importTrainable(adapter.tensors());
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("cannot apply adapter " + adapterDir + " to " + modelDir + ": "
                    + e.getMessage(), e);
        }
    }
}
