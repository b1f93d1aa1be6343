package dev.orpo.stages.train;

import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.synthetic.SyntheticPreferenceTask;
import dev.orpo.model.synthetic.TokenSpace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Test data for the training stage and the services (shared through the stages test-jar), made without any download:
 * the synthetic tiny Llama ({@link SyntheticLlama#tiny()}) and a prepared dataset directory of the digit-sorting task in
 * the dataset stage's format ({@link PreparedDataset#write}).
 */
public final class SyntheticPrepared {
    private SyntheticPrepared() {
    }

    /** Writes the tiny model (weights from {@code seed}) into {@code dir}. */
    public static Path model(Path dir, long seed) {
        return SyntheticLlama.write(dir, SyntheticLlama.tiny(), seed);
    }

    /** Writes {@code trainRows} + {@code testRows} digit-sorting pairs as a prepared dataset into {@code dir}. */
    public static Path dataset(Path dir, int trainRows, int testRows, long seed) {
        SyntheticPreferenceTask.Split split = SyntheticPreferenceTask.defaults().split(trainRows, testRows, seed);
        try {
            return PreparedDataset.write(dir, split.trainPairs(TokenSpace.tiny()), split.evalPairs(TokenSpace.tiny()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic dataset to " + dir, e);
        }
    }
}
