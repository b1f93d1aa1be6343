package dev.orpo.model.llama;

import ai.djl.ndarray.NDArray;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.lora.LoraAdapter;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftKeys;
import dev.orpo.model.tensor.HostArrays;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tensors of a {@link LlamaModel} that receive gradients, named as PEFT writes them in
 * {@code adapter_model.safetensors}, with their export to and import from host tensors and the matching
 * {@code adapter_config.json}:
 * {@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight} ([r, in]) / {@code lora_B.weight}
 * ([out, r]); after an embedding resize also {@code base_model.model.model.embed_tokens.weight} and (untied)
 * {@code base_model.model.lm_head.weight}. Order: layer, then target (q, k, v, o, gate, up, down), A before B; then
 * embed_tokens, lm_head.
 */
public final class TrainableTensors {
    public static final String EMBED_KEY = PeftKeys.savedModule("model.embed_tokens.weight");
    public static final String LM_HEAD_KEY = PeftKeys.savedModule("lm_head.weight");

    private TrainableTensors() {
    }

    /** The base-model module a layer's LoRA adapter wraps, e.g. {@code model.layers.0.self_attn.q_proj}. */
    public static String module(int layer, LoraTarget target) {
        return "model.layers." + layer + "." + target.path();
    }

    /**
     * PEFT {@code modules_to_save}: {@code embed_tokens} and/or {@code lm_head} train whole and are saved with the
     * adapter under PEFT's keys. With tied embeddings the two are one matrix: naming either trains it, saved as
     * embed_tokens (as after a vocabulary resize).
     */
    public static void trainModules(LlamaModel model, Collection<String> modulesToSave) {
        for (String module : modulesToSave) {
            switch (module) {
                case "embed_tokens" -> model.embedding().makeTrainable();
                case "lm_head" -> model.lmHead().table().makeTrainable();
                default -> throw new IllegalArgumentException("lora.modules_to_save: unknown module " + module
                        + " (embed_tokens, lm_head)");
            }
        }
    }

    /** PEFT {@code modules_to_save} of this model: the tables that train (after a resize or by request). */
    public static List<String> modulesToSave(LlamaModel model) {
        List<String> out = new ArrayList<>();
        if (model.embedding().trainable()) {
            out.add("embed_tokens");
        }
        if (!model.lmHead().tied() && model.lmHead().table().trainable()) {
            out.add("lm_head");
        }
        return out;
    }

    /** Every trainable tensor by PEFT name, in a stable order (the optimizer's and the adapter file's). */
    public static Map<String, NDArray> of(LlamaModel model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < model.layers().size(); i++) {
            for (LoraTarget t : LoraTarget.values()) {
                LoraAdapter a = model.layers().get(i).linear(t).adapter();
                if (a != null) {
                    out.put(PeftKeys.loraA(module(i, t)), a.a());
                    out.put(PeftKeys.loraB(module(i, t)), a.b());
                }
            }
        }
        if (model.embedding().trainable()) {
            out.put(EMBED_KEY, model.embedding().weight());
        }
        if (!model.lmHead().tied() && model.lmHead().table().trainable()) {
            out.put(LM_HEAD_KEY, model.lmHead().weight());
        }
        return out;
    }

    /** Trainable tensors under PEFT adapter-file names, copied to host memory. */
    public static Map<String, FloatTensor> export(LlamaModel model) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        of(model).forEach((k, v) -> out.put(k, new FloatTensor(v.getShape().getShape(), v.toFloatArray())));
        return out;
    }

    /** The adapter_config.json that goes with {@link #export} (LoRA applied first). */
    public static PeftAdapterConfig peftConfig(LlamaModel model, String baseModelNameOrPath) {
        if (model.lora() == null) {
            throw new IllegalStateException("no LoRA applied: nothing to describe");
        }
        return model.lora().toPeft(modulesToSave(model), baseModelNameOrPath);
    }

    /** Overwrites the trainable tensors from PEFT-named host tensors; every trainable tensor must be present. */
    public static void load(LlamaModel model, Map<String, FloatTensor> tensors) {
        Map<String, NDArray> targets = of(model);
        TreeSet<String> missing = new TreeSet<>(targets.keySet());
        missing.removeAll(tensors.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("adapter lacks trainable tensors " + missing);
        }
        TreeSet<String> unknown = new TreeSet<>(tensors.keySet());
        unknown.removeAll(targets.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("adapter has tensors the model does not train: " + unknown);
        }
        targets.forEach((k, v) -> copyInto(v, tensors.get(k), k));
    }

    private static void copyInto(NDArray target, FloatTensor source, String name) {
        if (!Arrays.equals(target.getShape().getShape(), source.shape())) {
            throw new IllegalArgumentException("tensor " + name + " has shape "
                    + Arrays.toString(source.shape()) + ", the model expects " + target.getShape());
        }
        HostArrays.copyInto(target, source.data()); // native copy: same leaf, no alias of a Java buffer
    }
}
