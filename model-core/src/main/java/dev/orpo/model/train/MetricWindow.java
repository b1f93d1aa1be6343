package dev.orpo.model.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Sums of per-micro-batch metrics since the last log (TRL averages its stored metrics the same way). */
final class MetricWindow {
    private final Map<String, Double> sums = new LinkedHashMap<>();
    private int count;
    private long tokens;
    private long startNanos = System.nanoTime();

    void add(double loss, Map<String, Double> metrics, long batchTokens) {
        sums.merge("loss", loss, Double::sum);
        metrics.forEach((k, v) -> sums.merge(k, v, Double::sum));
        count++;
        tokens += batchTokens;
    }

    /** Means since the last reset, in insertion order ({@code loss} first). */
    Map<String, Double> means() {
        Map<String, Double> m = new LinkedHashMap<>();
        sums.forEach((k, v) -> m.put(k, v / count));
        return m;
    }

    double tokensPerSecond() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return seconds > 0 ? tokens / seconds : 0;
    }

    void reset() {
        sums.clear();
        count = 0;
        tokens = 0;
        startNanos = System.nanoTime();
    }
}
