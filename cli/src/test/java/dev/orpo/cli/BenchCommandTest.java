package dev.orpo.cli;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code orpo bench}: every mode becomes one table row measured in its own JVM; bad flags name themselves. */
class BenchCommandTest {
    private static final String[] TINY = {"bench", "step", "--hidden", "64", "--layers", "1", "--heads", "4",
        "--kv-heads", "2", "--ffn", "128", "--vocab", "4096", "--pairs", "1", "--prompt", "6", "--answer", "5",
        "--warmup", "0", "--steps", "1", "--matmul-size", "64", "--heap", "256m"};

    private static String[] tiny(String... more) {
        String[] args = Arrays.copyOf(TINY, TINY.length + more.length);
        System.arraycopy(more, 0, args, TINY.length, more.length);
        return args;
    }

    @Test
    void stepPrintsOneRowPerModeWithFlopsMfuAndCpuShares() {
        CliRun run = CliRun.run(tiny("--base", "fp32,nf4", "--checkpointing", "off", "--head", "full,3",
                "--threads", "1"));

        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.contains("model FLOPs/token:"), out);
        List<String> rows = out.lines().filter(l -> l.startsWith("| fp32") || l.startsWith("| nf4")).toList();
        assertEquals(List.of("| fp32 head=full t1 | full", "| fp32 head=3 t1 | 3", "| nf4 head=full t1 | full",
                "| nf4 head=3 t1 | 3"), rows.stream().map(r -> r.substring(0, r.indexOf(" |", r.indexOf(" |") + 2)))
                .toList(), out);
        assertTrue(rows.get(0).endsWith("| 1.00× |"), "the first mode is the ratios' reference: " + rows.get(0));
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertTrue(cells[7].trim().endsWith("%"), "MFU column: " + row);
            assertTrue(cells[8].trim().endsWith("%"), "MFU on CPU time column: " + row);
            assertTrue(cells[11].trim().endsWith("%"), "sys/user column: " + row);
            assertTrue(cells[12].trim().matches("[0-9,]+"), "page faults column: " + row);
        }
        assertTrue(out.contains("1-min load average at the start and after each mode:"), out);
        assertTrue(run.err().contains("PyTorch threads:"), "an engine command prints the thread settings: "
                + run.err());
    }

    @Test
    void unknownModesAreBadInputNamedByTheirFlag() {
        CliRun base = CliRun.run(tiny("--base", "fp16"));
        assertEquals(ExitCodes.BAD_INPUT, base.exitCode());
        assertTrue(base.err().contains("--base") && base.err().contains("fp16"), base.err());

        CliRun head = CliRun.run(tiny("--head", "huge"));
        assertEquals(ExitCodes.BAD_INPUT, head.exitCode());
        assertTrue(head.err().contains("--head"), head.err());

        CliRun ckpt = CliRun.run(tiny("--checkpointing", "maybe"));
        assertEquals(ExitCodes.BAD_INPUT, ckpt.exitCode());
        assertTrue(ckpt.err().contains("--checkpointing"), ckpt.err());
    }

    @Test
    void trainReportsResidentMemoryAtEveryLog() {
        CliRun run = CliRun.run("bench", "train", "--steps", "4", "--hidden", "64", "--layers", "1", "--digits",
                "3", "--heap", "256m");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("RSS MB: loaded"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("RSS MB: loaded \\d+; by step: 1:\\d+ 2:\\d+ 3:\\d+ "
                + "4:\\d+")), run.out());
    }
}
