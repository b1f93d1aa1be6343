package dev.orpo.service;

/** A state event could not be published before its deadline (the broker stayed unreachable); the record is DLQ'd. */
public final class EventPublishException extends RuntimeException {
    public EventPublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
