package dev.orpo.bench;

import java.util.List;

/**
 * What one {@link StepChild} measured.
 *
 * @param matmulBestGflops   best fp32 matmul GFLOP/s of the peak measurement
 * @param matmulMedianGflops median fp32 matmul GFLOP/s
 * @param matmulCpuGflops    fp32 matmul GFLOP per CPU-second (user + system time of all threads): a peak that other
 *                           processes on the machine barely change
 * @param loadMs             model load time (read + widen or quantize)
 * @param frozenLinearBytes  native bytes of the frozen projections
 * @param chunk              the LM head chunk the steps used (0 = full logits)
 * @param rows               rows of the collated micro-batch (2 per pair in two rows, 1 prefix-shared, fewer packed)
 * @param rowLength          their padded length
 * @param layoutTokens       tokens the layout computes per step, padding aside
 * @param loadedRssKb        RSS after loading, LoRA and optimizer set-up
 * @param peakRssKb          peak RSS over the steps (VmHWM, reset after loading when {@code peakReset})
 * @param peakReset          whether the kernel let VmHWM be reset (else the peak includes loading)
 * @param stepMs             wall time of each timed step
 * @param userTicks          user CPU time of the timed steps, clock ticks
 * @param systemTicks        system CPU time of the timed steps, clock ticks
 * @param minorFaults        minor page faults during the timed steps
 * @param lastLoss           the last step's loss (a finite number, or the run is broken)
 */
public record StepResult(double matmulBestGflops, double matmulMedianGflops, double matmulCpuGflops, double loadMs,
                         long frozenLinearBytes, int chunk, long rows, long rowLength, long layoutTokens,
                         long loadedRssKb, long peakRssKb, boolean peakReset,
                         List<Double> stepMs, long userTicks, long systemTicks, long minorFaults,
                         double lastLoss) {

    public double medianStepMs() {
        return Stats.median(stepMs);
    }

    public double minStepMs() {
        return stepMs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    /** User + system CPU seconds of the timed steps. */
    public double cpuSeconds() {
        return (userTicks + systemTicks) / ProcStats.TICKS_PER_SECOND;
    }

    /** System CPU time as a share of user CPU time over the timed steps. */
    public double systemShare() {
        return userTicks == 0 ? Double.NaN : (double) systemTicks / userTicks;
    }
}
