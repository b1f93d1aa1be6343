package dev.orpo.cli;

/** Exit codes of every {@code orpo} command. */
public final class ExitCodes {
    /** Done; for {@code watch}: the run finished. */
    public static final int OK = 0;
    /** {@code watch}: the run failed ({@code RunFailed}). */
    public static final int RUN_FAILED = 1;
    /** Bad input: an invalid request, a malformed run id, a missing file. Nothing was published. */
    public static final int BAD_INPUT = 2;
    /** The broker or stack could not be reached or did not answer in time. */
    public static final int UNAVAILABLE = 3;
    /** {@code watch --timeout} elapsed first. */
    public static final int TIMED_OUT = 124;

    private ExitCodes() {
    }
}
