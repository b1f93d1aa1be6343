package dev.orpo.model.merge;

import dev.orpo.model.io.DType;

import java.nio.file.Path;
import java.util.List;

/**
 * What a merge produced.
 *
 * @param loraModules     base tensors updated with {@code scaling · B @ A}
 * @param replacedModules base tensors replaced by the adapter's modules_to_save
 * @param tensorBytes     bytes of tensor data written (the index's total_size)
 */
public record MergeResult(Path outDir, DType dtype, int tensors, int loraModules, int replacedModules,
                          long tensorBytes, int vocabSize, List<Path> files) {
}
