package dev.orpo.cli;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code orpo bench}: every mode becomes one table row measured in its own JVM; layouts are counted as the trainer
 * batches them; bad flags name themselves.
 */
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
                "--layout", "two_rows", "--threads", "1"));

        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        assertTrue(out.contains("model FLOPs/token in two rows of 11:"), out);
        List<String> rows = out.lines().filter(l -> l.startsWith("| fp32") || l.startsWith("| nf4")).toList();
        assertEquals(List.of("| fp32 two_rows head=full t1 | full", "| fp32 two_rows head=3 t1 | 3",
                "| nf4 two_rows head=full t1 | full", "| nf4 two_rows head=3 t1 | 3"), rows.stream().map(r -> r.substring(0, r.indexOf(" |", r.indexOf(" |") + 2)))
                .toList(), out);
        assertTrue(rows.get(0).endsWith("| 1.00× |"), "the first mode is the ratios' reference: " + rows.get(0));
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertEquals("2 × 11", cells[3].trim(), "two rows of prompt + answer tokens: " + row);
            assertTrue(cells[8].trim().endsWith("%"), "MFU column: " + row);
            assertTrue(cells[9].trim().endsWith("%"), "MFU on CPU time column: " + row);
            assertTrue(cells[12].trim().endsWith("%"), "sys/user column: " + row);
            assertTrue(cells[13].trim().matches("[0-9,]+"), "page faults column: " + row);
        }
        assertTrue(out.contains("1-min load average at the start and after each mode:"), out);
        assertTrue(run.err().contains("PyTorch threads:"), "an engine command prints the thread settings: "
                + run.err());
    }

    @Test
    void stepRunsEachLayoutOnItsOwnRows() {
        CliRun run = CliRun.run(tiny("--base", "fp32", "--checkpointing", "off", "--head", "auto", "--layout",
                "two_rows,prefix_shared", "--threads", "1"));

        assertEquals(0, run.exitCode(), run.err());
        List<String> rows = run.out().lines().filter(l -> l.startsWith("| fp32")).toList();
        assertEquals(2, rows.size(), run.out());
        assertEquals("2 × 11", rows.get(0).split("\\|")[3].trim(), rows.get(0));
        // one row per pair: the 6-token prompt once (one token of it repeated), both 5-token answers
        assertEquals("1 × 17", rows.get(1).split("\\|")[3].trim(), rows.get(1));
    }

    @Test
    void layoutCountsWhatEachLayoutComputesWithTheTrainersOrder() {
        CliRun run = CliRun.run("bench", "layout", "--pairs", "400", "--batch", "4", "--accumulation", "1");

        assertEquals(0, run.exitCode(), run.err());
        List<String[]> rows = run.out().lines().filter(l -> l.startsWith("| two_rows") || l.startsWith("| prefix")
                || l.startsWith("| packed")).map(l -> l.split("\\|")).toList();
        assertEquals(6, rows.size(), run.out());
        long twoRowsShuffled = tokens(rows.get(0)[5]);
        long prefixShuffled = tokens(rows.get(2)[5]);
        long packedShuffled = tokens(rows.get(4)[5]);
        long prefixGrouped = tokens(rows.get(3)[5]);
        assertTrue(prefixShuffled < twoRowsShuffled, "the prompt once per pair: " + run.out());
        assertTrue(packedShuffled <= prefixShuffled, "packing never adds padding: " + run.out());
        assertTrue(prefixGrouped <= prefixShuffled, "grouping by length never adds padding here: " + run.out());
        assertEquals(tokens(rows.get(0)[3]), tokens(rows.get(0)[4]), "two rows compute the sequences themselves");
        assertTrue(rows.get(0)[6].trim().endsWith("%"), run.out());
    }

    @Test
    void layoutRejectsABadLengthSetting() {
        CliRun run = CliRun.run("bench", "layout", "--max-length", "100", "--max-prompt-length", "200");
        assertEquals(ExitCodes.BAD_INPUT, run.exitCode());
        assertTrue(run.err().contains("--max-length"), run.err());
    }

    private static long tokens(String cell) {
        return Long.parseLong(cell.trim().replace(",", ""));
    }

    @Test
    void unknownModesAreBadInputNamedByTheirFlag() {
        CliRun base = CliRun.run(tiny("--base", "fp16"));
        assertEquals(ExitCodes.BAD_INPUT, base.exitCode());
        assertTrue(base.err().contains("--base") && base.err().contains("fp16"), base.err());

        CliRun head = CliRun.run(tiny("--head", "huge"));
        assertEquals(ExitCodes.BAD_INPUT, head.exitCode());
        assertTrue(head.err().contains("--head"), head.err());

        CliRun layout = CliRun.run(tiny("--layout", "diagonal"));
        assertEquals(ExitCodes.BAD_INPUT, layout.exitCode());
        assertTrue(layout.err().contains("--layout") && layout.err().contains("diagonal"), layout.err());

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
