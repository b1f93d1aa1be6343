package dev.orpo.cli;

import dev.orpo.deploy.local.LocalStack;
import dev.orpo.store.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code orpo upload} against the local stack it finds in ORPO_HOME (an S3Proxy on free ports). */
class UploadCommandTest {
    @TempDir
    static Path home;
    private static LocalStack stack;
    private static String previousHome;

    @TempDir
    Path work;

    @BeforeAll
    static void up() {
        stack = LocalStack.ephemeral(home);
        stack.up(Duration.ofSeconds(90));
        previousHome = System.setProperty("orpo.home", home.toString());
    }

    @AfterAll
    static void down() {
        if (previousHome == null) {
            System.clearProperty("orpo.home");
        } else {
            System.setProperty("orpo.home", previousHome);
        }
        stack.down();
    }

    @Test
    void modelDirectoryPrintsItsUriAndASecondUploadSkipsEveryFile() throws Exception {
        Path model = Files.createDirectories(work.resolve("m"));
        Files.writeString(model.resolve("config.json"), "{\"vocab_size\": 4}");
        Files.writeString(model.resolve("tokenizer.json"), "{}");
        Files.write(model.resolve("model.safetensors"), new byte[3000]);

        CliRun first = CliRun.run("upload", model.toString(), "--name", "tiny");
        assertEquals(0, first.exitCode(), first.err());
        String uri = first.out().strip();
        assertTrue(uri.matches("s3://orpo/models/tiny@[0-9a-f]{12}/"), uri);
        assertTrue(first.err().contains("uploaded model.safetensors (3.0 KB)"), first.err());
        assertTrue(first.err().contains("use it in a request: model.name_or_path: " + uri), first.err());

        CliRun again = CliRun.run("upload", model.toString(), "--name", "tiny");
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(uri, again.out().strip());
        assertTrue(again.err().contains("skipped  config.json") && again.err().contains("0 file(s) uploaded"),
                again.err());
    }

    @Test
    void datasetFileGetsTheUriOfItsObjectUnderAContentAddressedPrefix() throws Exception {
        Path data = Files.writeString(work.resolve("prefs.jsonl"), "{\"prompt\": \"p\"}\n");
        CliRun r = CliRun.run("upload", data.toString());
        assertEquals(0, r.exitCode(), r.err());
        String list = Sha256.of(data) + "  prefs.jsonl\n";
        String sha = Sha256.of(list.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        assertEquals("s3://orpo/datasets/prefs@" + sha + "/prefs.jsonl", r.out().strip());
        assertTrue(r.err().contains("dataset.uri: s3://orpo/datasets/prefs@" + sha + "/prefs.jsonl"), r.err());
    }

    @Test
    void badPathNameOrKindIsExitTwoAndUploadsNothing() {
        CliRun missing = CliRun.run("upload", work.resolve("nope").toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.exitCode());
        assertTrue(missing.err().contains("nope: no such file or directory"), missing.err());
        CliRun badName = CliRun.run("upload", work.toString(), "--name", "../escape");
        assertEquals(ExitCodes.BAD_INPUT, badName.exitCode());
        assertTrue(badName.err().contains("name must be letters"), badName.err());
        CliRun badKind = CliRun.run("upload", work.toString(), "--kind", "weights");
        assertEquals(ExitCodes.BAD_INPUT, badKind.exitCode());
        assertTrue(badKind.out().isEmpty(), badKind.out());
    }
}
