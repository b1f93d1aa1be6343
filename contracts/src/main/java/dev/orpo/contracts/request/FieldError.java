package dev.orpo.contracts.request;

/**
 * One problem with one field of a request (or one row of a dataset).
 *
 * @param path   dotted path with the wire names, e.g. {@code lora.r}, {@code training.learning_rate}
 * @param reason what is wrong, e.g. {@code must be > 0}
 */
public record FieldError(String path, String reason) {
    @Override
    public String toString() {
        return path + ": " + reason;
    }
}
