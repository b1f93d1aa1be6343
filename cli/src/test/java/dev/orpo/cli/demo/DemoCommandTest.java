package dev.orpo.cli.demo;

import dev.orpo.cli.Orpo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code orpo demo --small} end to end: a private local stack (free ports), the four packaged services as their own
 * JVMs (built first if missing), the real dataset → training → merge → evaluation stages, and the gain.
 */
class DemoCommandTest {
    private static final Pattern HELD_OUT = Pattern.compile("held-out reward accuracy\\s+([0-9.]+)\\s+([0-9.]+)");
    private static final Pattern EXACT = Pattern.compile("held-out exact match\\s+([0-9.]+)\\s+([0-9.]+)");
    /** A sample line: the prompt, the base's reply, the tuned model's reply (quoted, padded to the column). */
    private static final Pattern SAMPLE = Pattern.compile("(?m)^(sort: [a-h](?: [a-h])+)\\s+\"[^\"]*\"\\s+\"([^\"]*)\"\\s*$");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int demo(String... extra) {
        String[] base = {"demo", "--small", "--ephemeral", "--text", "--state-dir", dir.toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Orpo.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void smallDemoRunsEveryStageAndTheTunedModelSortsHeldOutPromptsTheBaseGetsWrong() {
        int code = demo("--timeout", "300", "--stall", "120");
        String log = out + "\n--- stderr ---\n" + err;
        assertEquals(0, code, log);
        for (String stage : new String[] {"DatasetPrepared", "TrainingStarted", "TrainingProgressed",
                "CheckpointSaved", "TrainingCompleted", "ModelMerged", "EvaluationCompleted"}) {
            assertTrue(out.toString().contains(stage), stage + " missing:\n" + log);
        }
        Matcher m = HELD_OUT.matcher(out.toString());
        assertTrue(m.find(), log);
        double base = Double.parseDouble(m.group(1));
        double tuned = Double.parseDouble(m.group(2));
        assertTrue(tuned > base, "tuned " + tuned + " vs base " + base + "\n" + log);
        Matcher exact = EXACT.matcher(out.toString());
        assertTrue(exact.find(), log);
        double exactBase = Double.parseDouble(exact.group(1));
        double exactTuned = Double.parseDouble(exact.group(2));
        assertTrue(exactBase <= 50 && exactTuned >= 90, "exact match (percent) of greedy replies to held-out prompts: "
                + "base " + exactBase + " (a base that sorts the wrong way), tuned " + exactTuned + "\n" + log);
        Matcher sample = SAMPLE.matcher(out.toString());
        int samples = 0;
        while (sample.find()) {
            char[] letters = sample.group(1).substring("sort: ".length()).replace(" ", "").toCharArray();
            java.util.Arrays.sort(letters);
            assertEquals("sorted: " + String.join(" ", new String(letters).split("")), sample.group(2), log);
            samples++;
        }
        assertEquals(3, samples, "three sample replies, each a correct sort:\n" + log);
        assertTrue(out.toString().contains("sort_letters/acc"), log);
        assertTrue(out.toString().matches("(?s).*prompt\\s+base\\s+tuned.*"), "generations side by side:\n" + log);
        assertTrue(out.toString().matches("(?s).*dashboard \\(live curves\\): http://127\\.0\\.0\\.1:\\d+/#run=run-.*"),
                "dashboard link:\n" + log);
    }

    @Test
    void missingDataFileIsBadInputBeforeAnythingStarts() {
        assertEquals(2, demo("--data", dir.resolve("nope.parquet").toString()));
        assertTrue(err.toString().contains("--data " + dir.resolve("nope.parquet") + " is not a file"), err.toString());
        assertTrue(out.toString().isEmpty(), out.toString());
    }
}
