// Writes the Java-side inputs of verify_hf_compat.py: a synthetic base model, preference pairs, and an adapter with
// resized (modules_to_save) embeddings. Run by make-inputs.sh; OUT is passed as -R-Dout=DIR.
import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.*;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.synthetic.*;
import java.nio.file.*;
import java.util.*;

Path out = Path.of(System.getProperty("out"));
var config = SyntheticLlama.config(64, 64, 2, 4, 2, 128);
Path base = SyntheticLlama.write(out.resolve("base"), config, 11);
var split = SyntheticPreferenceTask.defaults().split(32, 6, 5);
var space = TokenSpace.tiny();
void writePairs(Path file, List<dev.orpo.model.orpo.PreferencePair> pairs) throws Exception {
    var sb = new StringBuilder();
    for (var p : pairs) {
        int pl = p.chosenPromptLength();
        sb.append("{\"prompt_ids\":").append(Arrays.toString(Arrays.copyOf(p.chosenInputIds(), pl)))
          .append(",\"chosen_ids\":").append(Arrays.toString(p.chosenCompletion()))
          .append(",\"rejected_ids\":").append(Arrays.toString(p.rejectedCompletion())).append("}\n");
    }
    Files.writeString(file, sb.toString());
}
writePairs(out.resolve("train.jsonl"), split.trainPairs(space));
writePairs(out.resolve("pairs.jsonl"), split.evalPairs(space));

// an adapter whose embeddings were resized by two tokens (as a ChatML setup does): embed_tokens + lm_head saved
try (NDManager m = NDManager.newBaseManager()) {
    LlamaModel model = LlamaModel.load(base, m);
    model.resizeTokenEmbeddings(66);
    model.applyLora(new LoraConfig(4, 8, 0.0, EnumSet.allOf(LoraTarget.class), false, 3));
    var rng = new Random(5);
    var tensors = new LinkedHashMap<String, FloatTensor>();
    model.exportTrainable().forEach((k, t) -> {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] += (float) (0.02 * rng.nextGaussian());
        tensors.put(k, new FloatTensor(t.shape(), d));
    });
    model.importTrainable(tensors);
    PeftAdapterFiles.write(out.resolve("resized/adapter"), model.peftConfig(base.toString()), model.exportTrainable());
}
/exit
