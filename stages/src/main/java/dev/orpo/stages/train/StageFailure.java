package dev.orpo.stages.train;

/**
 * A run cannot be trained as requested (bad request field, unreadable prepared data, unsupported option). The message
 * is one line for people and names the field or file; services turn it into {@code RunFailed}.
 */
public class StageFailure extends RuntimeException {
    private final String field;

    /** @param field the request field or file at fault (e.g. {@code quantization.mode}), or null */
    public StageFailure(String field, String message) {
        super(message);
        this.field = field;
    }

    public StageFailure(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The request field or file at fault, or null. */
    public String field() {
        return field;
    }
}
