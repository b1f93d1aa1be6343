package dev.orpo.model.synthetic;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.HfConfigReader;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.WeightStorage;
import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticTaskTest {
    @TempDir
    Path dir;

    @Test
    void writtenModelLoadsBackWithTheSameConfigAndSeededWeights() {
        LlamaConfig config = SyntheticLlama.tiny();
        SyntheticLlama.write(dir, config, 7);
        assertEquals(config, HfConfigReader.read(dir));
        Map<String, FloatTensor> again = SyntheticLlama.weights(config, 7);
        try (CheckpointReader reader = CheckpointReader.open(dir); NDManager m = NDManager.newBaseManager();
             LlamaModel model = PretrainedLlama.load(config, reader, m, WeightStorage.DENSE)) {
            assertEquals(again.keySet(), reader.names());
            again.forEach((name, t) -> assertArrayEquals(t.data(), reader.readFloats(name), name));
            assertEquals(64, model.config().vocabSize());
        }
        assertNotEquals(again.get("lm_head.weight"), SyntheticLlama.weights(config, 8).get("lm_head.weight"));
    }

    @Test
    void chosenFollowsTheRuleAndRejectedRearrangesItsDigits() {
        for (SyntheticPreferenceTask.Rule rule : SyntheticPreferenceTask.Rule.values()) {
            SyntheticPreferenceTask task = new SyntheticPreferenceTask(rule, 5, 7);
            SyntheticPreferenceTask.Split split = task.split(40, 10, 3);
            for (DigitExample e : split.train()) {
                assertTrue(task.follows(e.prompt(), e.chosen()), rule + " " + e);
                assertFalse(task.follows(e.prompt(), e.rejected()), rule + " " + e);
                int[] a = e.chosen();
                int[] b = e.rejected();
                Arrays.sort(a);
                Arrays.sort(b);
                assertArrayEquals(a, b, "rejected holds the chosen digits: " + e);
            }
        }
        DigitExample e = new SyntheticPreferenceTask(SyntheticPreferenceTask.Rule.INCREMENT, 3, 10)
                .split(1, 0, 1).train().get(0);
        for (int i = 0; i < 3; i++) {
            assertEquals((e.prompt()[i] + 1) % 10, e.chosen()[i]);
        }
    }

    @Test
    void heldOutPromptsAreDisjointAndSplitsAreSeeded() {
        SyntheticPreferenceTask task = SyntheticPreferenceTask.defaults();
        SyntheticPreferenceTask.Split split = task.split(200, 50, 11);
        Set<String> train = new HashSet<>();
        split.train().forEach(e -> train.add(Arrays.toString(e.prompt())));
        split.eval().forEach(e -> assertFalse(train.contains(Arrays.toString(e.prompt())), e.toString()));
        assertEquals(split, task.split(200, 50, 11));
        assertNotEquals(split, task.split(200, 50, 12));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticPreferenceTask(
                SyntheticPreferenceTask.Rule.SORT, 2, 2).split(10, 0, 1));
    }

    @Test
    void tokenSpaceFramesPromptAndAnswers() {
        DigitExample e = new DigitExample(new int[] {3, 1, 2}, new int[] {1, 2, 3}, new int[] {2, 1, 3});
        PreferencePair p = TokenSpace.tiny().pair(e);
        assertArrayEquals(new int[] {1, 7, 5, 6, 3, 5, 6, 7, 2}, p.chosenInputIds());
        assertArrayEquals(new int[] {1, 7, 5, 6, 3, 6, 5, 7, 2}, p.rejectedInputIds());
        assertEquals(5, p.chosenPromptLength());
        assertEquals("3 1 2", DigitExample.text(e.prompt()));
        assertEquals(14, TokenSpace.tiny().minVocabSize());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TokenSpace.tiny(3).promptIds(new int[] {5}));
        assertTrue(bad.getMessage().contains("digit 5"), bad.getMessage());
    }
}
