package dev.minibert.cli;

import dev.minibert.eval.SavedModel;
import dev.minibert.finetune.DatasetFormat;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The columns of a labeled dataset file, as {@code finetune} names them; shared by {@code eval} and {@code inspect}. */
final class DatasetColumns {
    @Option(names = "--text-column", description = "column (or JSONL key) of the text (default: text, or text_a for pairs)")
    String textColumn;
    @Option(names = "--text-pair-column", description = "column of the second text, for sentence pairs (default: none)")
    String textPairColumn;
    @Option(names = "--label-column", defaultValue = "label", description = "default: ${DEFAULT-VALUE}")
    String labelColumn;

    /** The format of a classifier's {@code file} (kind from its extension); null without a file or for other models. */
    DatasetFormat formatFor(SavedModel model, Path file) {
        if (file == null || model.kind() != SavedModel.Kind.CLASSIFIER) {
            return null;
        }
        String text = textColumn != null ? textColumn : textPairColumn != null ? "text_a" : "text";
        return new DatasetFormat(DatasetFormat.kindOf(file), text, textPairColumn, labelColumn, null);
    }
}
