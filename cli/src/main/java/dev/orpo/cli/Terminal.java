package dev.orpo.cli;

/** Where the commands' output goes: progress bars on a terminal, plain lines otherwise. */
public final class Terminal {
    private Terminal() {
    }

    /**
     * Whether stdout is a terminal: {@code System.console() != null} up to JDK 21; from JDK 22 a console exists even
     * when redirected, and its {@code isTerminal()} tells (called reflectively to stay Java 17 bytecode).
     */
    public static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }
}
