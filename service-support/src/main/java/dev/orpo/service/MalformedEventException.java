package dev.orpo.service;

/** An incoming event that cannot be read; the DLQ's {@code dead-letter-reason} header carries its message. */
public final class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
