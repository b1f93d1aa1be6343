package dev.orpo.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code orpo} in-process and captures what it prints. */
final class CliRun {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private volatile int exitCode = Integer.MIN_VALUE;

    static CliRun run(String... args) {
        CliRun run = new CliRun();
        run.execute(args);
        return run;
    }

    void execute(String... args) {
        exitCode = Orpo.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    String out() {
        synchronized (out.getBuffer()) {
            return out.toString();
        }
    }

    String err() {
        return err.toString();
    }

    int exitCode() {
        return exitCode;
    }

    boolean finished() {
        return exitCode != Integer.MIN_VALUE;
    }
}
