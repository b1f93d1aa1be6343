package dev.orpo.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrpoUsageTest {
    @Test
    void helpListsEverySubcommand() {
        CliRun run = CliRun.run("--help");

        assertEquals(0, run.exitCode());
        for (Object sub : Orpo.subcommands()) {
            String name = sub.getClass().getAnnotation(picocli.CommandLine.Command.class).name();
            assertTrue(run.out().contains(name), name + " missing from:\n" + run.out());
        }
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRun run = CliRun.run("frobnicate");

        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("frobnicate"), run.err());
    }
}
