package dev.orpo.service;

import dev.orpo.contracts.request.FieldError;
import dev.orpo.stages.StageFailure;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The one failure policy of every stage service: what becomes of a consumed event whose stage threw.
 *
 * <ul>
 *   <li>{@link Action#DEAD_LETTER}: the record cannot be handled at all — it is not a valid event
 *       ({@link MalformedEventException}), or the service could not publish the outcome of its work before the
 *       publish deadline ({@link EventPublishException}). The record is nacked and lands in the channel's DLQ with
 *       the reason in {@code dead-letter-reason}.</li>
 *   <li>{@link Action#RETRY}: an outage — the object store or another server could not be reached (a socket error,
 *       a timeout, an unknown host anywhere in the cause chain). The stage runs again after a backoff, at most
 *       {@link StageRunner}'s attempt count, then the run fails.</li>
 *   <li>{@link Action#RUN_FAILED}: the input cannot be processed ({@code StageFailure}: a bad field, row, tensor,
 *       file) or the stage has a bug (any other exception). The run ends visibly with {@code RunFailed}, naming the
 *       stage, the reason and the offending fields; the record is acknowledged, never retried.</li>
 * </ul>
 */
public final class FailurePolicy {
    /** What to do with a failed stage. */
    public enum Action { DEAD_LETTER, RETRY, RUN_FAILED }

    /** RunFailed's content for a failure. */
    public record RunFailure(String stage, String reason, List<FieldError> errors) {
    }

    private FailurePolicy() {
    }

    public static Action classify(Throwable failure) {
        if (failure instanceof MalformedEventException || failure instanceof EventPublishException) {
            return Action.DEAD_LETTER;
        }
        return isOutage(failure) ? Action.RETRY : Action.RUN_FAILED;
    }

    /** A network failure anywhere in the cause chain: the server may be back in a moment. */
    static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketException || t instanceof InterruptedIOException || t instanceof EOFException
                    || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What {@code RunFailed} says about a failure of {@code stage}. A {@code StageFailure} keeps its own stage, reason
     * and errors; any other exception is reported with its type and message (a bug, or an outage that outlasted
     * the retries).
     *
     * @param what the target within the run ({@code checkpoint step 10}), prefixed to the reason; null for none
     */
    public static RunFailure describe(String stage, String what, Throwable failure) {
        String prefix = what == null ? "" : what + ": ";
        if (failure instanceof StageFailure f) {
            return new RunFailure(f.stage() == null ? stage : f.stage(), prefix + f.getMessage(), f.errors());
        }
        if (failure instanceof dev.orpo.stages.train.StageFailure f) {
            String field = f.field() == null ? stage : f.field();
            return new RunFailure(stage, prefix + f.getMessage(), List.of(new FieldError(field, f.getMessage())));
        }
        String message = failure.getMessage() == null ? "" : ": " + failure.getMessage();
        return new RunFailure(stage, prefix + stage + " failed: " + failure.getClass().getSimpleName() + message,
                List.of());
    }
}
