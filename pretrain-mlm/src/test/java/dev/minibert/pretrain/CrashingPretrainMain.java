package dev.minibert.pretrain;

import dev.minibert.model.train.TrainingLoop;
import java.nio.file.Path;

/** Child process of the kill-and-resume test: the run that halts half-way through writing checkpoint 6. */
public final class CrashingPretrainMain {
    private CrashingPretrainMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(TrainingLoop.CRASH_PROPERTY, "6");
        Pretraining.run(TinyCorpus.options(Path.of(args[0]), Path.of(args[1]), 8, 1e-3, 2, false), m -> { });
        System.exit(0); // not reached when the crash hook fires
    }
}
