package dev.orpo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What Linux says about this process and machine: resident memory (VmRSS), its peak (VmHWM) and a reset of that
 * peak, user and system CPU time, and the load average. Every benchmark reads these figures through this class.
 */
public final class ProcStats {

    /**
     * User and system CPU time of this process so far, in clock ticks (USER_HZ, 100 per second on Linux), and its
     * minor page faults (each a page the kernel had to map and zero: what a freshly mmapped buffer costs).
     */
    public record CpuTicks(long user, long system, long minorFaults) {
        public CpuTicks minus(CpuTicks earlier) {
            return new CpuTicks(user - earlier.user, system - earlier.system, minorFaults - earlier.minorFaults);
        }

        public double userSeconds() {
            return user / TICKS_PER_SECOND;
        }

        public double systemSeconds() {
            return system / TICKS_PER_SECOND;
        }
    }

    /** USER_HZ: fixed at 100 by the Linux user-space ABI (what {@code sysconf(_SC_CLK_TCK)} answers on x86-64). */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** VmRSS of this process, kB. */
    public static long rssKb() {
        return status("VmRSS:");
    }

    /** VmHWM of this process (peak RSS since start or the last {@link #resetPeak}), kB. */
    public static long peakRssKb() {
        return status("VmHWM:");
    }

    /** Resets VmHWM to the current RSS ({@code /proc/self/clear_refs} 5); false when the kernel refuses. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** Fields 14 and 15 (utime, stime) and 10 (minflt) of {@code /proc/self/stat}. */
    public static CpuTicks cpu() {
        return parseStat(read(Path.of("/proc/self/stat")));
    }

    /** utime, stime, minflt of a {@code /proc/<pid>/stat} line (the command name in brackets may hold spaces). */
    static CpuTicks parseStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // after "pid (comm) " field 3 (state) is at index 0: minflt (10), utime (14), stime (15) at 7, 11, 12
        return new CpuTicks(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[7]));
    }

    /** The 1-minute load average ({@code /proc/loadavg}), or NaN. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(read(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The 1, 5 and 15-minute load averages as printed by uptime. */
    public static String loadAverages() {
        try {
            String[] f = read(Path.of("/proc/loadavg")).split("\\s+");
            return String.format(Locale.ROOT, "%s %s %s", f[0], f[1], f[2]);
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /** A kB figure from {@code /proc/self/status}, e.g. {@code VmRSS:}. */
    static long status(String key) {
        for (String line : read(Path.of("/proc/self/status")).split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + key + " in /proc/self/status");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (benchmarks need Linux /proc)", e);
        }
    }
}
