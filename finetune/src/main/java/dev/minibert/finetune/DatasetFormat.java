package dev.minibert.finetune;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How a classification file is laid out.
 *
 * @param textBColumn null for single-sentence tasks
 * @param header      whether a CSV/TSV file starts with a header row; null detects it: the first row is a header when
 *                    it names any configured column
 *                    (and then it must name them all). Without a header columns are positional:
 *                    {@code text,label} or {@code text_a,text_b,label}. Ignored for JSONL.
 */
public record DatasetFormat(Kind kind, String textColumn, String textBColumn, String labelColumn, Boolean header) {

    /**
     * CSV follows RFC 4180 (quotes, doubled quotes, newlines inside quotes); TSV is split on tabs without quoting,
     * like GLUE's files; JSONL has one object per line.
     */
    public enum Kind { CSV, TSV, JSONL }

    public DatasetFormat {
        if (kind == null || textColumn == null || labelColumn == null) {
            throw new IllegalArgumentException("dataset format needs a kind, a text column and a label column");
        }
    }

    /** Single sentence, columns {@code text} and {@code label}, kind from the file extension, header detected. */
    public static DatasetFormat single(Path file) {
        return new DatasetFormat(kindOf(file), "text", null, "label", null);
    }

    /** Sentence pair, columns {@code text_a}, {@code text_b} and {@code label}, kind from the file extension. */
    public static DatasetFormat pair(Path file) {
        return new DatasetFormat(kindOf(file), "text_a", "text_b", "label", null);
    }

    public boolean isPair() {
        return textBColumn != null;
    }

    /** {@code .csv}, {@code .tsv}/{@code .tab}, {@code .jsonl}/{@code .json}. */
    public static Kind kindOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return Kind.CSV;
        }
        if (name.endsWith(".tsv") || name.endsWith(".tab")) {
            return Kind.TSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return Kind.JSONL;
        }
        throw new IllegalArgumentException(file + ": cannot tell the dataset format from the extension "
            + "(expected .csv, .tsv or .jsonl)");
    }
}
