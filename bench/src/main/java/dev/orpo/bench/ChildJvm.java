package dev.orpo.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a benchmark part in a fresh JVM (this class path, a capped heap, offline DJL, the given PyTorch thread count),
 * so its peak memory and CPU times are its own, and reads back the one result line it prints
 * ({@link #printResult}). Everything else the child prints is kept and shown only when it fails.
 */
public final class ChildJvm {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESULT = "BENCH-RESULT ";

    private ChildJvm() {
    }

    /** {@link #run(Class, List, int, List, Class, Consumer)} with {@code -Xmx heap}, keeping the child's lines. */
    public static <T> T run(Class<?> main, String heap, int threads, List<String> args, Class<T> type) {
        return run(main, List.of("-Xmx" + heap), threads, args, type, line -> { });
    }

    /**
     * @param main       the child's main class
     * @param jvmOptions e.g. {@code -Xmx512m}
     * @param threads    PyTorch intra-op and inter-op threads, or 0 to pass this JVM's settings on
     * @param args       its arguments
     * @param type       the result record
     * @param lines      receives every other line the child prints, as it prints it
     */
    public static <T> T run(Class<?> main, List<String> jvmOptions, int threads, List<String> args, Class<T> type,
                            Consumer<String> lines) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(jvmOptions);
        command.add("-Dai.djl.offline=true");
        for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
            String value = threads > 0 ? Integer.toString(threads) : System.getProperty(p);
            if (value != null) {
                command.add("-D" + p + "=" + value);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        StringBuilder output = new StringBuilder();
        String result = null;
        int exit;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(RESULT)) {
                        result = line.substring(RESULT.length());
                    } else {
                        output.append(line).append('\n');
                        lines.accept(line);
                    }
                }
            }
            exit = process.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a benchmark JVM: " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a benchmark JVM ran", e);
        }
        if (exit != 0 || result == null) {
            throw new IllegalStateException(main.getSimpleName() + " " + args + " failed (exit " + exit + "):\n"
                    + output);
        }
        try {
            return JSON.readValue(result, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable result from " + main.getSimpleName() + ": " + result, e);
        }
    }

    /** The JSON argument that carries a spec to a child. */
    public static String argument(Object spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Prints the child's result line (called by the child's main). */
    public static void printResult(Object result) throws JsonProcessingException {
        System.out.println(RESULT + JSON.writeValueAsString(result));
        System.out.flush();
    }
}
