package dev.orpo.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server running in its own JVM, tracked by a pid file in its directory: started detached (it outlives the JVM that
 * started it), considered running when the recorded process is alive and its port accepts connections.
 */
final class JvmServer {
    private final String name;
    private final Path dir;
    private final int port;

    JvmServer(String name, Path dir, int port) {
        this.name = name;
        this.dir = dir;
        this.port = port;
    }

    Path dir() {
        return dir;
    }

    Path logFile() {
        return dir.resolve(name + ".log");
    }

    private Path pidFile() {
        return dir.resolve(name + ".pid");
    }

    /** The recorded process, if it is still alive. */
    Optional<ProcessHandle> process() {
        try {
            if (!Files.exists(pidFile())) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile()).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** It was started (its pid file is there) but its process is gone: it crashed or was killed. */
    boolean died() {
        return Files.exists(pidFile()) && process().isEmpty();
    }

    /** Guards against a recycled pid: the command line, where the OS shows it, must mention this server's dir. */
    private boolean isOurs(ProcessHandle p) {
        return p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(true);
    }

    boolean portAnswers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    ServerStatus status() {
        Optional<ProcessHandle> p = process();
        return new ServerStatus(name, p.isPresent() && portAnswers(), p.map(ProcessHandle::pid).orElse(-1L), port,
                logFile());
    }

    /** Starts {@code java <args>} detached, output appended to the log file, and records its pid. */
    void start(List<String> jvmArgs) {
        if (process().isEmpty() && portAnswers()) {
            throw new IllegalStateException(name + ": port " + port + " is taken by another process; stop it or use "
                    + "another state directory");
        }
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmArgs);
        try {
            Files.createDirectories(dir);
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
            Process process = pb.start();
            process.getOutputStream().close();
            Files.writeString(pidFile(), Long.toString(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot start " + String.join(" ", command), e);
        }
    }

    /** Runs {@code java <args>} to completion (for one-off tools such as storage formatting). */
    void runTool(String what, List<String> jvmArgs, Duration timeout) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmArgs);
        Path log = dir.resolve(what + ".log");
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + ": " + what + " did not finish in " + timeout + "; see " + log);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(name + ": " + what + " failed (exit " + p.exitValue() + "): "
                        + tail(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot run " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted during " + what, e);
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
    void stop(Duration grace) {
        process().ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                p.onExit().join();
            }
        });
        forgetPid();
    }

    /** SIGKILL at once, no SIGTERM first: what a crash looks like to clients. */
    void kill() {
        process().ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        forgetPid();
    }

    private void forgetPid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot delete " + pidFile(), e);
        }
    }

    /** The last lines of the log, for error messages. */
    String logTail() {
        return tail(logFile());
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }
}
