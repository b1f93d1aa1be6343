package dev.orpo.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageBoardTest {
    @Test
    void noteIsAFifthLineUnderTheBarsUntilRemoved() {
        StringWriter tty = new StringWriter();
        StageBoard board = new StageBoard(new PrintWriter(tty, true), true);
        board.submitted("run-1");
        board.note("no consumer group reads orpo.training.requested.v1");
        String withNote = tty.toString().substring(tty.toString().lastIndexOf("\033[4A"));
        assertTrue(withNote.endsWith("\r\033[2Kno consumer group reads orpo.training.requested.v1\n"), withNote);

        board.note(null);
        String cleared = tty.toString().substring(tty.toString().lastIndexOf("\033[5A"));
        assertTrue(cleared.endsWith("\r\033[2K\n\033[1A"), cleared); // blanked, cursor back under the four bars
        board.note(null);
        assertTrue(tty.toString().lastIndexOf("\033[4A") > tty.toString().lastIndexOf("\033[5A"),
                "later draws go up four lines again");
    }

    @Test
    void withoutATerminalTheNoteIsOnePlainLine() {
        StringWriter piped = new StringWriter();
        StageBoard board = new StageBoard(new PrintWriter(piped, true), false);
        board.note("no consumer group reads x");
        board.note(null);
        assertEquals("no consumer group reads x\n", piped.toString());
    }
}
