package dev.orpo.contracts;

/**
 * CloudEvents 1.0 Kafka binary-mode header names and values (the same headers SmallRye's Kafka connector writes when
 * {@code cloud-events=true}). The payload stays the plain JSON event record.
 */
public final class CloudEventHeaders {
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";
    public static final String SPEC_VERSION_VALUE = "1.0";
    public static final String JSON = "application/json";
    /** Event type attribute: {@code dev.orpo.<RecordName>.v<schemaVersion>}. */
    public static String type(Class<?> eventType, int schemaVersion) {
        return "dev.orpo." + eventType.getSimpleName() + ".v" + schemaVersion;
    }

    private CloudEventHeaders() {
    }
}
