package dev.orpo.cli;

/**
 * Marks a command that runs the model on PyTorch: {@link Orpo} prints the engine's thread settings before it runs
 * (one line on stderr), so every figure and log of such a command can be read against them.
 */
public interface EngineCommand {
}
