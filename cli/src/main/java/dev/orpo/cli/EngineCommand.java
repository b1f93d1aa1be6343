package dev.orpo.cli;

/**
 * Marks a command that runs the model on PyTorch: {@link Orpo} prints the engine's thread settings before it runs
 * (one line on stderr), so every figure and log of such a command can be read against them, and the device it computes
 * on ({@code device: cpu()}) when it computes in this process.
 */
public interface EngineCommand {
    /** False for commands whose model work runs in child JVMs (the benchmarks): no engine is loaded here for them. */
    default boolean computesInProcess() {
        return true;
    }
}
