package dev.orpo.model.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one benchmark mode in a fresh JVM (same class path, 512 MB heap, offline DJL, the parent's PyTorch thread
 * settings), so each mode's peak memory is its own, and returns the Markdown table row ({@code "| ..."}) it printed.
 */
final class BenchmarkChild {
    private BenchmarkChild() {
    }

    /** @param label names the mode in the error when the child fails or prints no row */
    static String row(Class<?> main, List<String> args, String label) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-Dai.djl.offline=true"));
        for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
            if (System.getProperty(p) != null) {
                command.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String row = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.startsWith("| ")) {
                    row = line;
                }
            }
        }
        if (process.waitFor() != 0 || row == null) {
            throw new IllegalStateException(label + " child failed (exit " + process.exitValue() + "):\n" + output);
        }
        return row;
    }
}
