package dev.minibert.cli;

import dev.minibert.model.io.OutputFolder;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --overwrite} (HF's --overwrite_output_dir) for the commands that write a run folder: the only way to replace
 * an earlier run in {@code --out}, and even then only the entries minibert's marker names there are deleted.
 */
final class OverwriteOption {
    @Option(names = "--overwrite", description = "replace the earlier run in --out (deletes only the files minibert "
            + "wrote there; other files stay)")
    boolean overwrite;

    /** Clears the earlier {@code kind} run in {@code out} when asked to; --overwrite with --resume is a usage error. */
    void apply(Path out, String kind, boolean resume, CommandLine cl) throws IOException {
        if (!overwrite) {
            return;
        }
        if (resume) {
            throw new CommandLine.ParameterException(cl, "--overwrite and --resume exclude each other: "
                    + "--overwrite starts the run in " + out + " afresh, --resume continues it");
        }
        OutputFolder.clear(out, kind);
    }
}
