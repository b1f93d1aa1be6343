package dev.orpo.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The suite's measured figures, one row per fault (and the load figures), written as a Markdown table to
 * {@code reliability/target/reliability-report.md} after each row, so a run that stops half-way still leaves what it
 * measured. docs/reliability.md copies the table of the last full run.
 */
final class FaultReport implements AutoCloseable {
    /**
     * One fault's figures.
     *
     * @param fault         what was done, e.g. "kill -9 trainer"
     * @param when          at which point of the run
     * @param recoverySeconds from the fault until the pipeline was back where it was (see the test for the exact mark)
     * @param stepsLost     optimizer steps computed again (0 where no training was in flight)
     * @param eventsLost    state events that should exist and do not
     * @param duplicates    state events that exist more than once
     * @param note          what else was observed
     */
    record Row(String fault, String when, double recoverySeconds, long stepsLost, long eventsLost, long duplicates,
               String note) {
    }

    private final Path file;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    FaultReport(Path file) {
        this.file = file;
    }

    synchronized void add(Row row) {
        rows.add(row);
        write();
    }

    /** A free-form line under the table (load figures, decisions). */
    synchronized void note(String line) {
        notes.add(line);
        write();
    }

    private void write() {
        StringBuilder md = new StringBuilder("# Reliability suite, ").append(Instant.now()).append("\n\n")
                .append("| fault | when | recovery (s) | steps lost | events lost | events duplicated | notes |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %d | %d | %d | %s |%n", r.fault(), r.when(),
                    r.recoverySeconds(), r.stepsLost(), r.eventsLost(), r.duplicates(), r.note()));
        }
        md.append('\n');
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, md, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        System.out.println("reliability figures: " + file);
    }
}
