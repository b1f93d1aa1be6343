package dev.orpo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s/jobs/upload runs the CLI image with {@code args}; Kubernetes expands {@code $(VAR)} from the container's
 * environment (here: the ConfigMap generated from upload.env). This parses that command line, expanded, with the real
 * {@code orpo} command, so the Job cannot drift from the command's options.
 */
class UploadJobCommandLineTest {
    private static final Path JOB = Path.of(System.getProperty("basedir", ".")).resolve("../deploy/k8s/jobs/upload");
    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");

    @Test
    @SuppressWarnings("unchecked")
    void theUploadJobsArgumentsParseAsOrpoUploadOfTheConfiguredPath() throws IOException {
        Map<String, Object> job = new ObjectMapper(new YAMLFactory()).readValue(JOB.resolve("job.yaml").toFile(), Map.class);
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) job.get("spec"))
                .get("template")).get("spec");
        List<String> args = (List<String>) ((List<Map<String, Object>>) spec.get("containers")).get(0).get("args");
        Map<String, String> env = env(JOB.resolve("upload.env"));
        List<String> expanded = new ArrayList<>();
        for (String a : args) {
            Matcher m = VAR.matcher(a);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                assertTrue(env.containsKey(m.group(1)), m.group(1) + " is not in upload.env");
                m.appendReplacement(out, Matcher.quoteReplacement(env.get(m.group(1))));
            }
            expanded.add(m.appendTail(out).toString());
        }

        CommandLine cl = Orpo.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        CommandLine.ParseResult parsed = cl.parseArgs(expanded.toArray(String[]::new));
        CommandLine.ParseResult upload = parsed.subcommand();
        assertEquals("upload", upload.commandSpec().name());
        assertEquals(Path.of("/models", env.get("UPLOAD_PATH")), upload.matchedPositionalValue(0, null));
        assertEquals(env.get("UPLOAD_NAME"), upload.matchedOptionValue("--name", null));
        assertEquals(env.get("UPLOAD_KIND"), upload.matchedOptionValue("--kind", null));
        assertEquals("lines", upload.matchedOptionValue("--progress", null), "a log, not a terminal bar");
    }

    private static Map<String, String> env(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.put(t.substring(0, t.indexOf('=')), t.substring(t.indexOf('=') + 1));
            }
        }
        return out;
    }
}
