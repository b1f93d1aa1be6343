package dev.orpo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainResult;
import dev.orpo.model.train.TrainerListener;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** What {@code orpo train} prints: progress lines on a terminal, JSON lines otherwise. */
final class TrainOutput {
    private TrainOutput() {
    }

    /** One human-readable line per log, eval and checkpoint. */
    static final class ProgressLines implements TrainerListener {
        private final PrintWriter out;

        ProgressLines(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onLog(StepLog log) {
            out.printf(Locale.ROOT, "step %d/%d (%.0f%%) | loss %.4f | nll %.4f | acc %.2f | margin %.4f | lr %.2e |"
                            + " grad %.3f | %.0f tok/s | ETA %s%n", log.step(), log.totalSteps(),
                    100.0 * log.step() / log.totalSteps(), log.metric("loss"), log.metric("nll_loss"),
                    log.metric("rewards/accuracies"), log.metric("rewards/margins"), log.metric("learning_rate"),
                    log.metric("grad_norm"), log.tokensPerSecond(), duration(log.etaSeconds()));
            out.flush();
        }

        @Override
        public void onEvaluate(int step, Map<String, Double> m) {
            out.printf(Locale.ROOT, "eval @ step %d | loss %.4f | nll %.4f | acc %.2f | margin %.4f%n", step,
                    m.get("eval_loss"), m.get("eval_nll_loss"), m.get("eval_rewards/accuracies"),
                    m.get("eval_rewards/margins"));
            out.flush();
        }

        @Override
        public void onCheckpoint(int step, Path dir) {
            out.println("checkpoint " + dir);
            out.flush();
        }

        private static String duration(double seconds) {
            long s = Math.round(seconds);
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
    }

    /** One JSON object per event, flat HF/TRL metric names as keys. */
    static final class JsonLines implements TrainerListener {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final PrintWriter out;

        JsonLines(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onLog(StepLog log) {
            ObjectNode o = event("log", log.step());
            o.put("total_steps", log.totalSteps());
            log.metrics().forEach(o::put);
            o.put("tokens_per_second", log.tokensPerSecond());
            o.put("eta_seconds", log.etaSeconds());
            print(o);
        }

        @Override
        public void onEvaluate(int step, Map<String, Double> metrics) {
            ObjectNode o = event("eval", step);
            metrics.forEach(o::put);
            print(o);
        }

        @Override
        public void onCheckpoint(int step, Path dir) {
            print(event("checkpoint", step).put("path", dir.toString()));
        }

        @Override
        public void onEnd(TrainResult result) {
            print(event("end", result.step()).put("total_steps", result.totalSteps())
                    .put("cancelled", result.cancelled()).put("checkpoint", result.finalCheckpoint().toString()));
        }

        private static ObjectNode event(String type, int step) {
            return JSON.createObjectNode().put("event", type).put("step", step);
        }

        private void print(ObjectNode o) {
            out.println(o.toString());
            out.flush();
        }
    }
}
