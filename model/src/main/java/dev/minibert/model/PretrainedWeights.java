package dev.minibert.model;

import dev.minibert.model.io.ModelDirectory.LoadReport;
import dev.minibert.model.io.ModelDirectory;
import java.io.IOException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HF's from_pretrained for our model classes: every parameter gets a fresh seeded init first, then the
 * directory's tensors overwrite it. Parameters the caller allows to be missing (a pooler, a task head)
 * keep their fresh init and are named in a warning; tensors the model does not use are listed once.
 */
public final class PretrainedWeights {
    private static final Logger LOG = LoggerFactory.getLogger(PretrainedWeights.class);

    private PretrainedWeights() {
    }

    public static LoadReport load(ModelDirectory dir, ParameterStore store, Predicate<String> mayBeMissing, long seed)
            throws IOException {
        Initializer.initialize(store, dir.config().initializerRange, seed);
        LoadReport report = dir.loadInto(store, mayBeMissing);
        if (!report.initializedFresh().isEmpty()) {
            LOG.warn("{}: not in the checkpoint, newly initialized: {}", dir.path(), report.initializedFresh());
        }
        if (!report.unused().isEmpty()) {
            LOG.info("{}: tensors not used by this model: {}", dir.path(), report.unused());
        }
        return report;
    }
}
