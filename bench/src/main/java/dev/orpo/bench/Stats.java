package dev.orpo.bench;

import java.util.Collection;

/** Small statistics for timings. */
final class Stats {
    private Stats() {
    }

    /** The median (mean of the middle two for an even count); NaN when empty. */
    static double median(Collection<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
