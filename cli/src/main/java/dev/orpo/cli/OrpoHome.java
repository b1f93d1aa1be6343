package dev.orpo.cli;

import java.nio.file.Path;

/**
 * Where the local stack keeps its state (data, logs, pids): {@code $ORPO_HOME}, else the {@code orpo.home} system
 * property (the {@code ./orpo} script sets it to {@code .orpo/} at the repository root), else {@code .orpo/} in the
 * working directory.
 */
public final class OrpoHome {
    private OrpoHome() {
    }

    public static Path resolve() {
        return resolve(System::getenv);
    }

    /** @param environment where {@code ORPO_HOME} is looked up (tests give their own) */
    static Path resolve(java.util.function.UnaryOperator<String> environment) {
        String env = environment.apply("ORPO_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        String prop = System.getProperty("orpo.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        return Path.of(".orpo").toAbsolutePath();
    }
}
