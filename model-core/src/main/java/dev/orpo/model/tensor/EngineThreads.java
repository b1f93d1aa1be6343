package dev.orpo.model.tensor;

import java.util.Locale;
import java.util.OptionalInt;

/**
 * Sizes libtorch's intra-op and inter-op thread pools from this process's CPU quota ({@link CpuQuota}) instead of
 * the host's core count. DJL reads the two system properties once, when the PyTorch engine loads, so
 * {@link #configure} must run before the first {@code Engine.getInstance()} / {@code NDManager.newBaseManager()}:
 * the CLI calls it first thing in {@code main}, the services at start-up.
 *
 * <p>Precedence: a property already set ({@code -Dai.djl.pytorch.num_threads=…}) wins, then an explicit count (a
 * service's configuration), then the quota. Both pools get the same count: eager PyTorch runs one op at a time, so
 * the inter-op pool is mostly idle, but a pool larger than the quota only adds time-slicing.
 */
public final class EngineThreads {
    public static final String INTRA_OP = "ai.djl.pytorch.num_threads";
    public static final String INTER_OP = "ai.djl.pytorch.num_interop_threads";

    private EngineThreads() {
    }

    /** From the quota (unless the properties are set); returns the line to print at start. */
    public static String configure() {
        return configure(OptionalInt.empty());
    }

    /** With an explicit count (e.g. {@code orpo.trainer.threads}) that wins over the quota; returns the line. */
    public static String configure(OptionalInt explicit) {
        return configure(CpuQuota.detect(), Runtime.getRuntime().availableProcessors(), explicit);
    }

    static String configure(CpuQuota quota, int availableProcessors, OptionalInt explicit) {
        int chosen = explicit.isPresent() ? Math.max(1, explicit.getAsInt()) : quota.threads(availableProcessors);
        boolean preset = isSet(INTRA_OP) || isSet(INTER_OP);
        String intra = setIfAbsent(INTRA_OP, chosen);
        String inter = setIfAbsent(INTER_OP, chosen);
        String why = preset ? "-D" + INTRA_OP + " / -D" + INTER_OP : explicit.isPresent() ? "configured" : "CPU quota";
        String quotaText = quota.cpus().isPresent()
                ? String.format(Locale.ROOT, "%.2f CPUs, %s", quota.cpus().getAsDouble(), quota.source())
                : quota.source();
        return String.format(Locale.ROOT, "PyTorch threads: %s intra-op, %s inter-op (%s; quota: %s; %d available "
                + "processors)", intra, inter, why, quotaText, availableProcessors);
    }

    private static boolean isSet(String key) {
        String v = System.getProperty(key);
        return v != null && !v.isBlank();
    }

    /** Sets {@code key} to {@code value} unless already set; returns the effective value. */
    private static String setIfAbsent(String key, int value) {
        if (!isSet(key)) {
            System.setProperty(key, Integer.toString(value));
        }
        return System.getProperty(key);
    }
}
