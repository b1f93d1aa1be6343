package dev.orpo.model.lora;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Checks adapter tensors against their config and (optionally) against a base model's tensor shapes. */
public final class PeftAdapterCheck {
    private PeftAdapterCheck() {
    }

    /**
     * Every problem found, each naming the tensor and both shapes; empty if the adapter fits.
     *
     * @param adapter adapter key → shape
     * @param base    base tensor name → shape, or null to check only the adapter's own consistency
     */
    public static List<String> problems(PeftAdapterConfig config, Map<String, long[]> adapter,
                                        Map<String, long[]> base) {
        List<String> out = new ArrayList<>();
        for (String key : new TreeSet<>(adapter.keySet())) {
            PeftKeys.Key k;
            try {
                k = PeftKeys.parse(key);
            } catch (IllegalArgumentException e) {
                out.add(e.getMessage());
                continue;
            }
            long[] shape = adapter.get(key);
            long[] target = base == null ? null : base.get(k.baseTensor());
            if (base != null && target == null && untiesLmHead(k, base)) {
                target = base.get(EMBED);                      // a tied base's lm_head is its embedding matrix
            }
            if (base != null && target == null) {
                out.add("adapter tensor " + key + " applies to base tensor " + k.baseTensor()
                        + ", which the base model does not have");
                continue;
            }
            switch (k.kind()) {
                case LORA_A, LORA_B -> checkFactor(config, adapter, key, k, shape, target, out);
                case SAVED_MODULE -> checkSaved(config, key, k, shape, target, out);
            }
        }
        if (base != null) {
            checkVocab(adapter, base, out);
        }
        return out;
    }

    private static void checkFactor(PeftAdapterConfig config, Map<String, long[]> adapter, String key,
                                    PeftKeys.Key k, long[] shape, long[] target, List<String> out) {
        boolean isA = k.kind() == PeftKeys.Kind.LORA_A;
        if (!config.targetModules().contains(k.leaf())) {
            out.add("adapter tensor " + key + " is on module " + k.leaf() + ", which is not in target_modules "
                    + config.targetModules());
        }
        String partner = isA ? PeftKeys.loraB(k.module()) : PeftKeys.loraA(k.module());
        if (!adapter.containsKey(partner)) {
            out.add("adapter tensor " + key + " has no matching " + partner);
        }
        long r = config.r();
        long[] expected = target == null || target.length != 2
                ? (isA ? new long[]{r, shape.length == 2 ? shape[1] : -1} : new long[]{shape.length == 2 ? shape[0] : -1, r})
                : (isA ? new long[]{r, target[1]} : new long[]{target[0], r});
        if (!Arrays.equals(shape, expected)) {
            out.add("adapter tensor " + key + " has shape " + Arrays.toString(shape) + " but expected "
                    + Arrays.toString(expected) + (target == null ? " (r=" + r + ")"
                    : " for base tensor " + k.baseTensor() + " " + Arrays.toString(target) + " and r=" + r));
        }
    }

    private static void checkSaved(PeftAdapterConfig config, String key, PeftKeys.Key k, long[] shape,
                                   long[] target, List<String> out) {
        boolean listed = config.modulesToSave().stream()
                .anyMatch(m -> k.module().equals(m) || k.module().endsWith("." + m));
        if (!listed) {
            out.add("adapter tensor " + key + " replaces module " + k.module() + ", which is not in modules_to_save "
                    + config.modulesToSave());
        }
        if (target == null) {
            return;
        }
        boolean vocabRows = isVocabTensor(k.baseTensor()) && shape.length == 2 && target.length == 2;
        boolean fits = vocabRows ? shape[1] == target[1] : Arrays.equals(shape, target);
        if (!fits) {
            out.add("adapter tensor " + key + " has shape " + Arrays.toString(shape) + " but base tensor "
                    + k.baseTensor() + " is " + Arrays.toString(target)
                    + (vocabRows ? " (the vocabulary may grow, the hidden size may not)" : ""));
        }
    }

    /**
     * After the merge, the embedding and lm_head must have the same number of rows (vocabulary): a resized
     * embedding needs an equally resized lm_head unless the base ties them, and vice versa.
     */
    private static void checkVocab(Map<String, long[]> adapter, Map<String, long[]> base, List<String> out) {
        long[] embed = adapter.getOrDefault(PeftKeys.savedModule(EMBED), base.get(EMBED));
        long[] head = adapter.getOrDefault(PeftKeys.savedModule(LM_HEAD), base.getOrDefault(LM_HEAD, embed));
        if (embed != null && head != null && embed.length == 2 && head.length == 2 && embed[0] != head[0]) {
            out.add("after merging, " + EMBED + " would have " + embed[0] + " rows but " + LM_HEAD + " " + head[0]
                    + " (" + where(adapter, EMBED) + " embedding, " + where(adapter, LM_HEAD) + " lm_head)");
        }
    }

    private static String where(Map<String, long[]> adapter, String tensor) {
        return adapter.containsKey(PeftKeys.savedModule(tensor)) ? "adapter's" : "base's";
    }

    /**
     * Whether {@code k} is a saved lm_head for a base without one (tied embeddings): PEFT saves both modules when
     * training unties them; the merged model then stores lm_head.weight and is no longer tied.
     */
    public static boolean untiesLmHead(PeftKeys.Key k, Map<String, long[]> base) {
        return k.kind() == PeftKeys.Kind.SAVED_MODULE && k.baseTensor().equals(LM_HEAD)
                && !base.containsKey(LM_HEAD) && base.containsKey(EMBED);
    }

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** Tensors whose first dimension is the vocabulary size. */
    public static boolean isVocabTensor(String baseTensor) {
        return baseTensor.equals(EMBED) || baseTensor.equals(LM_HEAD);
    }
}
