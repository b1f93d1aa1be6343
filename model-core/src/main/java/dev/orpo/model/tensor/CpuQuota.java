package dev.orpo.model.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The CPU time this process may use, from its cgroup: v2 {@code cpu.max} ({@code "<quota> <period>"} or
 * {@code "max <period>"}), v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us} (quota −1 = none). A container
 * limited to 2 CPUs on a 64-core host sees 64 cores through {@code nproc}-style counts, and libtorch sizes its thread
 * pools from those: 64 threads time-sliced onto 2 CPUs. The cgroup of this process is read from
 * {@code /proc/self/cgroup}; its directory and every ancestor up to the mount are checked, and the smallest limit
 * wins (a parent's quota limits its children too).
 *
 * @param cpus   the quota in CPUs (quota / period), empty when no limit is set or no cgroup file is readable
 * @param source where the figure came from, for the start-up line (e.g. {@code cgroup v2 cpu.max 200000/100000})
 */
public record CpuQuota(OptionalDouble cpus, String source) {

    /** This process's quota from {@code /proc/self/cgroup} and {@code /sys/fs/cgroup}. */
    public static CpuQuota detect() {
        return read(Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"));
    }

    /**
     * @param procSelfCgroup a {@code /proc/self/cgroup} file ({@code hierarchy:controllers:path} lines)
     * @param cgroupMount    where the cgroup file systems are mounted (v2 at the mount itself, v1 one directory per
     *                       controller list, e.g. {@code cpu,cpuacct} or {@code cpu})
     */
    public static CpuQuota read(Path procSelfCgroup, Path cgroupMount) {
        List<String> lines;
        try {
            lines = Files.readAllLines(procSelfCgroup);
        } catch (IOException | SecurityException e) {
            return new CpuQuota(OptionalDouble.empty(), "no " + procSelfCgroup);
        }
        CpuQuota best = null;
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            CpuQuota found = f[0].equals("0") && f[1].isEmpty()
                    ? v2(cgroupMount, f[2])
                    : List.of(f[1].split(",")).contains("cpu") ? v1(cgroupMount, f[1], f[2]) : null;
            if (found != null && (best == null || found.cpus().getAsDouble() < best.cpus().getAsDouble())) {
                best = found;
            }
        }
        return best != null ? best : new CpuQuota(OptionalDouble.empty(), "no cgroup CPU limit");
    }

    /**
     * Threads for a pool on this process: the quota rounded up (1.5 CPUs → 2 threads), never more than
     * {@code availableProcessors} (which already counts the CPU set) and never fewer than 1.
     */
    public int threads(int availableProcessors) {
        int available = Math.max(1, availableProcessors);
        return cpus.isPresent() ? Math.max(1, Math.min(available, (int) Math.ceil(cpus.getAsDouble()))) : available;
    }

    private static CpuQuota v2(Path mount, String path) {
        CpuQuota best = null;
        for (Path dir : upToMount(mount, path)) {
            String[] f = read(dir.resolve("cpu.max")).split("\\s+");
            if (f.length == 2 && !f[0].equals("max")) {
                best = smaller(best, quota(f[0], f[1], "cgroup v2 " + dir.resolve("cpu.max")));
            }
        }
        return best;
    }

    private static CpuQuota v1(Path mount, String controllers, String path) {
        CpuQuota best = null;
        for (String name : new LinkedHashSet<>(List.of(controllers, "cpu", "cpu,cpuacct"))) {
            for (Path dir : upToMount(mount.resolve(name), path)) {
                String quota = read(dir.resolve("cpu.cfs_quota_us"));
                String period = read(dir.resolve("cpu.cfs_period_us"));
                if (!quota.isEmpty() && !period.isEmpty() && !quota.startsWith("-")) {
                    best = smaller(best, quota(quota, period, "cgroup v1 " + dir.resolve("cpu.cfs_quota_us")));
                }
            }
        }
        return best;
    }

    private static CpuQuota quota(String quota, String period, String where) {
        try {
            double q = Double.parseDouble(quota);
            double p = Double.parseDouble(period);
            if (q > 0 && p > 0) {
                return new CpuQuota(OptionalDouble.of(q / p), String.format(Locale.ROOT, "%s %s/%s", where, quota,
                        period));
            }
        } catch (NumberFormatException e) {
            return null; // an unreadable figure is no limit
        }
        return null;
    }

    private static CpuQuota smaller(CpuQuota a, CpuQuota b) {
        if (b == null) {
            return a;
        }
        return a == null || b.cpus().getAsDouble() < a.cpus().getAsDouble() ? b : a;
    }

    /** The cgroup's directory under {@code mount} and each parent up to {@code mount} itself. */
    private static List<Path> upToMount(Path mount, String cgroupPath) {
        List<Path> dirs = new ArrayList<>();
        Path dir = mount;
        for (String part : cgroupPath.split("/")) {
            if (!part.isEmpty()) {
                dir = dir.resolve(part);
            }
        }
        for (; dir != null && dir.startsWith(mount); dir = dir.getParent()) {
            dirs.add(dir);
        }
        return dirs;
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).trim() : "";
        } catch (IOException | SecurityException e) {
            return "";
        }
    }
}
