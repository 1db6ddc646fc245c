package dev.minibert.model.io;

import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/** Child JVM of {@link ModelSwapCrashTest}: saves the "new" model into args[0], stopping at swap step args[1]. */
public final class SavingChild {
    private SavingChild() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(ModelDirectory.PAUSE_PROPERTY, args[1]);
        ModelSwapCrashTest.saveNew(Path.of(args[0]));
        System.exit(0); // not reached: the test kills this process while it waits at the pause
    }
}
