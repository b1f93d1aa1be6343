package dev.orpo.cli;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * What `orpo demo` and `orpo watch RUN_ID` show while a run goes: on a terminal one progress bar per stage (dataset, training, merge, eval),
 * redrawn in place; otherwise one plain line per event ({@link EventFormatter#textLine}).
 */
public final class StageBoard {
    private static final int WIDTH = 28;

    private final PrintWriter out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private String dataset = "waiting for dataset-service";
    private double datasetDone;
    private String training = "waiting for the prepared dataset";
    private double trainingDone;
    private String heldOut = "";
    private String merge = "waiting for the final adapter";
    private double mergeDone;
    private String eval = "waiting for checkpoints";
    private double evalDone;
    private String note;
    private int drawnLines;

    public StageBoard(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    public void submitted(String runId) {
        if (terminal) {
            out.println("run " + runId + " submitted");
            draw();
        }
    }

    public void on(PipelineEvent event) {
        if (!terminal) {
            out.println(EventFormatter.textLine(event));
            out.flush();
            return;
        }
        if (event instanceof DatasetPrepared e) {
            datasetDone = 1;
            dataset = e.trainRows() + " train + " + e.testRows() + " held-out pairs, " + e.rejectedRows()
                    + " rejected, " + e.trainTokens() + " tokens";
            training = "waiting for trainer-service";
        } else if (event instanceof TrainingStarted e) {
            training = "0/" + e.totalSteps() + " steps, " + e.trainableParameters() + " trainable parameters";
        } else if (event instanceof TrainingProgressed e && TrainingProgressed.EVAL.equals(e.phase())) {
            heldOut = " | held-out @" + e.step() + metric(e.metrics(), "eval_rewards/accuracies", "acc")
                    + metric(e.metrics(), "eval_rewards/margins", "margin");
            training = training.contains(" | ") ? training.substring(0, training.indexOf(" | ")) + heldOut
                    : training + heldOut;
        } else if (event instanceof TrainingProgressed e) {
            trainingDone = e.totalSteps() > 0 ? (double) e.step() / e.totalSteps() : 0;
            training = progress(e) + heldOut;
        } else if (event instanceof CheckpointSaved e) {
            eval = "checkpoint step " + e.step() + " saved, evaluating";
        } else if (event instanceof TrainingCompleted e) {
            trainingDone = 1;
            training = "done: " + e.finalStep() + " steps in " + Math.round(e.durationSeconds()) + " s"
                    + metric(e.metrics(), "loss", "loss") + heldOut;
            merge = "merging the adapter into the base";
        } else if (event instanceof ModelMerged e) {
            mergeDone = 1;
            merge = "done: step " + e.step() + ", " + e.tensors() + " tensors, " + e.dtype();
            eval = "evaluating base and merged model";
            evalDone = Math.max(evalDone, 0.5);
        } else if (event instanceof EvaluationCompleted e) {
            if ("merged".equals(e.target())) {
                evalDone = 1;
                eval = "done: merged model at step " + e.step();
            } else {
                evalDone = Math.max(evalDone, 0.25);
                eval = "checkpoint step " + e.step() + " evaluated" + heldOut(e.table());
            }
        } else if (event instanceof RunFailed e) {
            eval = "FAILED in " + e.stage() + ": " + e.reason();
        }
        draw();
    }

    /**
     * A line under the bars (e.g. watch's "no consumer group reads ..."), or null to remove it. Without a terminal it
     * is printed once as a plain line.
     */
    public void note(String text) {
        if (!terminal) {
            if (text != null) {
                out.println(text);
                out.flush();
            }
            return;
        }
        note = text;
        draw();
    }

    private void draw() {
        if (drawnLines > 0) {
            out.print("\033[" + drawnLines + "A");
        }
        line("dataset", datasetDone, dataset);
        line("train", trainingDone, training);
        line("merge", mergeDone, merge);
        line("eval", evalDone, eval);
        int lines = 4;
        if (note != null || drawnLines > 4) {
            out.print("\r\033[2K" + (note == null ? "" : note) + "\n");
            lines = 5;
        }
        out.flush();
        drawnLines = note == null ? 4 : lines;
        if (note == null && lines == 5) {
            out.print("\033[1A"); // the cleared note line is reused by the next draw
        }
    }

    private void line(String stage, double done, String text) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, done)) * WIDTH);
        out.printf(Locale.ROOT, "\r\033[2K%-7s [%s%s] %3.0f%%  %s%n", stage, "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * done, text);
    }

    public void finish() {
        if (terminal) {
            out.printf(Locale.ROOT, "followed the run for %.0f s%n", (System.nanoTime() - startNanos) / 1e9);
            out.flush();
        }
    }

    private static String progress(TrainingProgressed e) {
        return e.step() + "/" + e.totalSteps()
                + metric(e.metrics(), "loss", "loss")
                + metric(e.metrics(), "rewards/accuracies", "acc")
                + metric(e.metrics(), "rewards/margins", "margin")
                + (e.etaSeconds() > 0 ? String.format(Locale.ROOT, " eta %.0f s", e.etaSeconds()) : "");
    }

    private static String heldOut(Map<String, Map<String, Double>> table) {
        if (table == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        table.forEach((model, cols) -> sb.append(metric(cols, "eval_rewards/accuracies", model + " acc")));
        return sb.toString();
    }

    private static String metric(Map<String, Double> metrics, String name, String label) {
        Double v = metrics == null ? null : metrics.get(name);
        return v == null ? "" : String.format(Locale.ROOT, " %s %.4f", label, v);
    }
}
