package dev.orpo.deploy.local;

import java.nio.file.Path;

/**
 * One server of the local stack.
 *
 * @param name    {@code kafka} or {@code s3proxy}
 * @param running its process is alive and its port answers
 * @param pid     the recorded process id, or -1 when none is recorded
 * @param port    the port clients use
 * @param logFile where its output goes
 */
public record ServerStatus(String name, boolean running, long pid, int port, Path logFile) {
}
