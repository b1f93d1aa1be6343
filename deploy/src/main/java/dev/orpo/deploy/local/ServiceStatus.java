package dev.orpo.deploy.local;

import java.nio.file.Path;

/**
 * One service of the local stack ({@link LocalServices#status()}).
 *
 * @param running its recorded process is alive
 * @param ready   it answers 200 on {@code /q/health/ready} (connected to Kafka)
 * @param pid     the recorded process id, or -1
 * @param port    its HTTP port, 0 when it was never started
 */
public record ServiceStatus(String name, boolean running, boolean ready, long pid, int port, Path logFile) {
}
