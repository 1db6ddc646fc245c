package dev.minibert.cli;

import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.RunLock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --overwrite} (HF's --overwrite_output_dir) for the commands that write a run folder: the only way to replace
 * an earlier run in {@code --out}, and even then only the files minibert wrote there are deleted, under the run's
 * lock, after the inputs were read and checked.
 */
final class OverwriteOption {
    @Option(names = "--overwrite", description = "replace the earlier run in --out (deletes only the files minibert "
            + "wrote there, once the inputs are read; other files, also inside its folders, stay)")
    boolean overwrite;

    /** Whether to overwrite; --overwrite with --resume is a usage error. The run itself clears the folder. */
    boolean requested(Path out, boolean resume, CommandLine cl) {
        if (overwrite && resume) {
            throw new CommandLine.ParameterException(cl, "--overwrite and --resume exclude each other: "
                    + "--overwrite starts the run in " + out + " afresh, --resume continues it");
        }
        return overwrite;
    }

    /** Opens {@code out} for a run that cannot resume, clearing an earlier one under the same lock when asked to. */
    RunLock open(Path out, String kind, List<String> entries) throws IOException {
        if (!overwrite) {
            return OutputFolder.openRun(out, kind, entries);
        }
        RunLock lock = OutputFolder.openRun(out, kind, entries, OutputFolder.Start.OVERWRITE);
        try {
            OutputFolder.clear(out, kind);
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }
}
