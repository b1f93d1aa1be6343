package dev.orpo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.deploy.local.StackConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "step by step" section, command for command, on a fresh state directory: {@code orpo local up},
 * {@code orpo upload} of a model directory (real Llama 3 tokenizer files, generated weights) and of a dataset file,
 * {@code orpo submit} with the printed URIs, {@code orpo watch} until {@code EvaluationCompleted} (exit 0), then
 * {@code orpo local down}. No demo command is involved. The only difference from a user's shell: {@code ORPO_HOME} is
 * the {@code orpo.home} system property (this runs the commands in-process), and a {@code stack.properties} with free
 * ports lets it run beside other stacks.
 */
class StepByStepTest {
    private static final String README_STEPS = "./orpo local up\n"
            + "MODEL=$(./orpo upload /path/to/Meta-Llama-3-8B --name llama3-8b)\n"
            + "DATA=$(./orpo upload /path/to/pairs.parquet --name my-pairs)\n"
            + "RUN=$(./orpo submit examples/llama3-orpo.yaml --set model.name_or_path=$MODEL --set dataset.uri=$DATA)\n"
            + "./orpo watch $RUN\n"
            + "./orpo local down\n";

    @TempDir
    Path home;
    private String previousHome;

    @BeforeEach
    void freshStateDirOnFreePorts() throws IOException {
        StackConfig ports = StackConfig.freePorts();
        Files.writeString(home.resolve("stack.properties"), "kafka.port=" + ports.kafkaPort()
                + "\nkafka.controller.port=" + ports.controllerPort() + "\ns3.port=" + ports.s3Port()
                + "\nbucket=orpo\naccess-key=orpo\nsecret-key=orpo-secret\n");
        previousHome = System.setProperty("orpo.home", home.toString());
    }

    @AfterEach
    void restoreHome() {
        if (previousHome == null) {
            System.clearProperty("orpo.home");
        } else {
            System.setProperty("orpo.home", previousHome);
        }
    }

    @Test
    void readmeStepsTakeAnUploadedLlama3ModelAndDatasetToEvaluationCompleted() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(README_STEPS), "README.md's step-by-step block must be exactly:\n" + README_STEPS);
        Path model = Llama3ModelDir.write(home.resolve("inputs/my-llama3"));
        Path data = pairs(home.resolve("inputs/pairs.jsonl"), 16);
        Path request = Path.of("src/test/resources/step-by-step/request.yaml");

        long t0 = System.nanoTime();
        CliRun up = CliRun.run("local", "up");
        long tUp = System.nanoTime();
        try {
            assertEquals(0, up.exitCode(), up.out() + up.err());
            for (String service : List.of("dataset-service", "trainer-service", "merger-service", "eval-service",
                    "dashboard")) {
                assertTrue(up.out().lines().anyMatch(l -> l.startsWith(service) && l.contains("ready")), up.out());
            }

            CliRun m = CliRun.run("upload", model.toString(), "--name", "llama3-tiny");
            assertEquals(0, m.exitCode(), m.err());
            String modelUri = m.out().strip();
            assertTrue(modelUri.matches("s3://orpo/models/llama3-tiny@[0-9a-f]{12}/"), modelUri);
            assertTrue(m.err().contains("uploaded model-00001-of-00002.safetensors"), m.err());

            CliRun d = CliRun.run("upload", data.toString(), "--name", "my-pairs");
            assertEquals(0, d.exitCode(), d.err());
            String dataUri = d.out().strip();
            assertTrue(dataUri.matches("s3://orpo/datasets/my-pairs@[0-9a-f]{12}/pairs\\.jsonl"), dataUri);

            CliRun s = CliRun.run("submit", request.toString(), "--set", "model.name_or_path=" + modelUri, "--set",
                    "dataset.uri=" + dataUri);
            assertEquals(0, s.exitCode(), s.err());
            String runId = s.out().strip();

            long tSubmit = System.nanoTime();
            CliRun w = CliRun.run("watch", runId, "--text", "--timeout", "600");
            System.out.printf("step by step: local up %.0f s, uploads and submit %.0f s, run %.0f s%n%s%n",
                    (tUp - t0) / 1e9, (tSubmit - tUp) / 1e9, (System.nanoTime() - tSubmit) / 1e9, w.out());
            assertEquals(0, w.exitCode(), w.out() + "\n" + w.err() + "\n" + logs());
            for (String event : List.of("DatasetPrepared", "TrainingStarted", "TrainingCompleted", "ModelMerged",
                    "EvaluationCompleted")) {
                assertTrue(w.out().contains(event), event + " missing:\n" + w.out());
            }
            assertTrue(!w.err().contains("no consumer group"), w.err());
        } finally {
            CliRun down = CliRun.run("local", "down");
            assertEquals(0, down.exitCode(), down.err());
        }
        CliRun status = CliRun.run("local", "status");
        assertEquals(ExitCodes.UNAVAILABLE, status.exitCode(), status.out());
        assertTrue(status.out().lines().filter(l -> l.contains("stopped")).count() >= 7, status.out());
    }

    /** Preference pairs in the orpo-dpo-mix-40k shape: a prompt, chosen and rejected as message lists. */
    static Path pairs(Path file, int rows) throws IOException {
        ObjectMapper json = new ObjectMapper();
        String[] colours = {"red", "blue", "green", "white", "black", "yellow", "orange", "purple"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            String colour = colours[i % colours.length];
            String question = "What colour is item number " + i + "?";
            ObjectNode row = json.createObjectNode().put("source", "step-by-step").put("prompt", question);
            row.set("chosen", conversation(json, question, "It is " + colour + "."));
            row.set("rejected", conversation(json, question, "I do not know."));
            lines.add(json.writeValueAsString(row));
        }
        Files.createDirectories(file.getParent());
        return Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private static ArrayNode conversation(ObjectMapper json, String question, String answer) {
        ArrayNode turns = json.createArrayNode();
        turns.addObject().put("role", "user").put("content", question);
        turns.addObject().put("role", "assistant").put("content", answer);
        return turns;
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (String s : List.of("dataset-service", "trainer-service", "merger-service", "eval-service")) {
            Path log = home.resolve("services").resolve(s).resolve(s + ".log");
            try {
                List<String> l = Files.exists(log) ? Files.readAllLines(log) : List.of();
                sb.append("--- ").append(s).append(" (last lines)\n")
                        .append(String.join("\n", l.subList(Math.max(0, l.size() - 25), l.size()))).append('\n');
            } catch (IOException e) {
                sb.append("cannot read ").append(log).append('\n');
            }
        }
        return sb.toString();
    }
}
