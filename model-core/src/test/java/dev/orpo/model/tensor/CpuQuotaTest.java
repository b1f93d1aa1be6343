package dev.orpo.model.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuQuotaTest {
    @TempDir
    Path root;

    @AfterEach
    void clearProperties() {
        System.clearProperty(EngineThreads.INTRA_OP);
        System.clearProperty(EngineThreads.INTER_OP);
    }

    private Path file(String relative, String content) throws IOException {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, content);
    }

    private CpuQuota read(String procSelfCgroup) throws IOException {
        return CpuQuota.read(file("proc/self/cgroup", procSelfCgroup), root.resolve("sys/fs/cgroup"));
    }

    @Test
    void cgroupV2CpuMaxInAContainerGivesQuotaOverPeriod() throws IOException {
        file("sys/fs/cgroup/cpu.max", "200000 100000\n");
        CpuQuota q = read("0::/\n");
        assertEquals(2.0, q.cpus().getAsDouble(), 1e-12);
        assertTrue(q.source().contains("cpu.max 200000/100000"), q.source());
        assertEquals(2, q.threads(64));
    }

    @Test
    void cgroupV2MaxMeansNoLimitAndFallsBackToAvailableProcessors() throws IOException {
        file("sys/fs/cgroup/cpu.max", "max 100000\n");
        CpuQuota q = read("0::/\n");
        assertFalse(q.cpus().isPresent());
        assertEquals(16, q.threads(16));
    }

    @Test
    void cgroupV2NestedPathTakesTheSmallestLimitOfItsAncestors() throws IOException {
        file("sys/fs/cgroup/kubepods/cpu.max", "150000 100000");
        file("sys/fs/cgroup/kubepods/pod1/cpu.max", "max 100000");
        file("sys/fs/cgroup/kubepods/pod1/ctr/cpu.max", "400000 100000");
        CpuQuota q = read("0::/kubepods/pod1/ctr\n");
        assertEquals(1.5, q.cpus().getAsDouble(), 1e-12);
        assertEquals(2, q.threads(64), "1.5 CPUs round up to 2 threads");
    }

    @Test
    void cgroupV1CfsQuotaAndPeriodUnderTheCpuCpuacctMount() throws IOException {
        file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
        file("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        CpuQuota q = read("12:memory:/\n4:cpu,cpuacct:/\n0::/\n");
        assertEquals(0.5, q.cpus().getAsDouble(), 1e-12);
        assertTrue(q.source().startsWith("cgroup v1"), q.source());
        assertEquals(1, q.threads(8), "half a CPU still gets one thread");
    }

    @Test
    void cgroupV1QuotaMinusOneIsNoLimitAsOnThisDevelopmentMachine() throws IOException {
        file("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        file("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        CpuQuota q = read("2:cpuacct:/\n1:cpu:/\n0::/\n");
        assertFalse(q.cpus().isPresent());
        assertEquals(2, q.threads(2));
    }

    @Test
    void quotaAboveTheAvailableProcessorsIsCappedByThem() throws IOException {
        file("sys/fs/cgroup/cpu.max", "800000 100000");
        assertEquals(3, read("0::/").threads(3));
    }

    @Test
    void missingOrGarbledFilesMeanNoLimit() throws IOException {
        assertFalse(CpuQuota.read(root.resolve("absent"), root).cpus().isPresent());
        file("sys/fs/cgroup/cpu.max", "lots 100000");
        assertFalse(read("0::/\n").cpus().isPresent());
        assertEquals(4, new CpuQuota(OptionalDouble.empty(), "none").threads(4));
    }

    @Test
    void engineThreadsSetBothPoolsFromTheQuotaUnlessAPropertyOrACountIsGiven() {
        CpuQuota two = new CpuQuota(OptionalDouble.of(2), "test quota");
        String line = EngineThreads.configure(two, 64, OptionalInt.empty());
        assertEquals("2", System.getProperty(EngineThreads.INTRA_OP));
        assertEquals("2", System.getProperty(EngineThreads.INTER_OP));
        assertTrue(line.startsWith("PyTorch threads: 2 intra-op, 2 inter-op (CPU quota"), line);

        clearProperties();
        EngineThreads.configure(two, 64, OptionalInt.of(3));
        assertEquals("3", System.getProperty(EngineThreads.INTRA_OP), "an explicit count wins over the quota");

        clearProperties();
        System.setProperty(EngineThreads.INTRA_OP, "1");
        line = EngineThreads.configure(two, 64, OptionalInt.of(3));
        assertEquals("1", System.getProperty(EngineThreads.INTRA_OP), "a -D property wins over everything");
        assertEquals("3", System.getProperty(EngineThreads.INTER_OP));
        assertTrue(line.contains("-Dai.djl.pytorch.num_threads"), line);
    }
}
