package dev.orpo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An engine command run as its own JVM, with the CLI's logging config, as a user runs {@code ./orpo}: on this CPU
 * machine its stderr names the device once and holds no WARN line (DJL's GPU-detection warning used to print two to
 * four).
 */
class CpuMachineStderrTest {
    @TempDir
    Path dir;

    @Test
    void scoreOnACpuMachinePrintsTheDeviceOnceAndNoWarning() throws Exception {
        JsonNode pairs = new ObjectMapper().readTree(TinyChatModel.GOLDEN.resolve("golden.json").toFile())
                .get("orpo").get("pairs");
        StringBuilder rows = new StringBuilder();
        for (JsonNode p : pairs) {
            rows.append("{\"prompt_ids\":").append(p.get("prompt")).append(",\"chosen_ids\":").append(p.get("chosen"))
                    .append(",\"rejected_ids\":").append(p.get("rejected")).append("}\n");
        }
        Path data = Files.writeString(dir.resolve("pairs.jsonl"), rows);
        Path stderr = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Orpo.class.getName(), "score",
                "--model", TinyChatModel.GOLDEN.toString(), "--data", data.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "orpo score did not finish");

        List<String> lines = Files.readAllLines(stderr);
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        assertEquals(List.of("device: cpu()"), lines.stream().filter(l -> l.startsWith("device: ")).toList());
        assertTrue(lines.stream().noneMatch(l -> l.contains("WARN")), String.join("\n", lines));
    }
}
