package dev.orpo.store;

/**
 * One stored object ({@link ObjectStore#info}).
 *
 * @param size   bytes
 * @param sha256 the SHA-256 recorded when {@link ObjectStore} wrote it; null for objects other tools wrote
 */
public record ObjectInfo(String key, long size, String sha256) {
}
