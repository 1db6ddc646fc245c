package dev.minibert.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.tokenizer.Utf8LineReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A labelled text-classification file (CSV, TSV or JSONL; single sentences or pairs), read whole: finetuning sets are
 * small. Every bad record (invalid UTF-8, wrong column count, missing field, empty text or label, label unknown to a
 * given label map, broken quoting) is reported as {@code file:line: problem}; loading fails with the first few problems
 * and their count unless {@code skipBadRows}, which drops them and counts them in {@link #skipped()}.
 * A UTF-8 BOM, CRLF line ends and blank lines are tolerated; a line longer than
 * {@link dev.minibert.tokenizer.LineLimit} fails the load with {@code file:line}, skip mode or not.
 */
public final class ClassificationDataset {
    private static final int PROBLEMS_SHOWN = 5;
    private static final int HEAP_SHARE = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Example> examples;
    private final LabelMap labels;
    private final List<String> problems;

    private ClassificationDataset(List<Example> examples, LabelMap labels, List<String> problems) {
        this.examples = List.copyOf(examples);
        this.labels = labels;
        this.problems = List.copyOf(problems);
    }

    /**
     * @param labels the training set's label map for dev/test files; null for a training file, whose labels build it
     */
    public static ClassificationDataset load(Path file, DatasetFormat format, LabelMap labels, boolean skipBadRows) {
        List<Line> lines = readLines(file);
        List<Row> rows = format.kind() == DatasetFormat.Kind.JSONL
            ? jsonRows(lines, format) : tableRows(file, lines, format);
        List<String> problems = new ArrayList<>();
        List<Row> good = new ArrayList<>();
        for (Row row : rows) {
            String problem = row.problem() != null ? row.problem() : checkTexts(row, format);
            if (problem == null && labels != null && labels.id(row.label()) < 0) {
                problem = "unknown label '" + row.label() + "' (known: " + String.join(", ", labels.names()) + ")";
            }
            if (problem != null) {
                problems.add(file + ":" + row.problemLine() + ": " + problem);
            } else {
                good.add(row);
            }
        }
        if (!problems.isEmpty() && !skipBadRows) {
            throw new IllegalArgumentException(file + ": " + problems.size() + " bad row(s); first ones:\n  "
                + problems.stream().limit(PROBLEMS_SHOWN).collect(Collectors.joining("\n  ")));
        }
        if (good.isEmpty()) {
            throw new IllegalArgumentException(file + ": no usable examples"
                + (problems.isEmpty() ? "" : " (" + problems.size() + " bad rows skipped)"));
        }
        LabelMap map = labels != null ? labels : LabelMap.build(good.stream().map(Row::label).toList());
        List<Example> examples = good.stream()
            .map(r -> new Example(r.textA(), r.textB(), map.id(r.label()), r.line())).toList();
        return new ClassificationDataset(examples, map, problems);
    }

    public List<Example> examples() {
        return examples;
    }

    public LabelMap labels() {
        return labels;
    }

    /** Bad rows dropped in skip mode. */
    public int skipped() {
        return problems.size();
    }

    /** The {@code file:line: problem} messages of the skipped rows. */
    public List<String> problems() {
        return problems;
    }

    /** A physical line; {@code badUtf8} lines hold the text decoded with replacement characters. */
    private record Line(int number, String text, boolean badUtf8) {
    }

    /** A record's fields, or the reason it is unusable; {@code problemLine} is where the problem is. */
    private record Row(int line, String textA, String textB, String label, String problem, int problemLine) {
        static Row ok(int line, String textA, String textB, String label) {
            return new Row(line, textA, textB, label, null, line);
        }

        static Row bad(int line, String problem) {
            return new Row(line, null, null, null, problem, line);
        }
    }

    private static String checkTexts(Row row, DatasetFormat format) {
        if (row.textA().isBlank()) {
            return "empty " + format.textColumn();
        }
        if (format.isPair() && row.textB().isBlank()) {
            return "empty " + format.textBColumn();
        }
        if (row.label().isBlank()) {
            return "empty " + format.labelColumn();
        }
        return null;
    }

    private static List<Line> readLines(Path file) {
        checkFitsHeap(file);
        List<Line> lines = new ArrayList<>();
        try (Utf8LineReader in = new Utf8LineReader(Files.newInputStream(file), file.toString())) {
            Utf8LineReader.Line line;
            while ((line = in.nextLine()) != null) {
                lines.add(new Line(lines.size() + 1, line.text(), !line.validUtf8()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file, e);
        }
        return lines;
    }

    /** The file is held whole as strings (up to twice its bytes) and then as rows: refuse what cannot fit. */
    private static void checkFitsHeap(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file, e);
        }
        long limit = Runtime.getRuntime().maxMemory() / HEAP_SHARE;
        if (size > limit) {
            throw new IllegalArgumentException(file + ": " + size + " bytes; a dataset is read whole and may take at most 1/"
                + HEAP_SHARE + " of the " + Runtime.getRuntime().maxMemory() + "-byte Java heap (" + limit
                + " bytes; raise -Xmx)");
        }
    }

    private static List<Row> jsonRows(List<Line> lines, DatasetFormat format) {
        List<Row> rows = new ArrayList<>();
        for (Line line : lines) {
            if (line.text().isBlank()) {
                continue;
            }
            if (line.badUtf8()) {
                rows.add(Row.bad(line.number(), "invalid UTF-8"));
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line.text());
            } catch (JsonProcessingException e) {
                rows.add(Row.bad(line.number(), "invalid JSON: " + e.getOriginalMessage()));
                continue;
            }
            if (node == null || !node.isObject()) {
                rows.add(Row.bad(line.number(), "not a JSON object"));
                continue;
            }
            String missing = missingField(node, format);
            rows.add(missing != null ? Row.bad(line.number(), "missing field '" + missing + "'")
                : Row.ok(line.number(), node.get(format.textColumn()).asText(),
                    format.isPair() ? node.get(format.textBColumn()).asText() : null,
                    node.get(format.labelColumn()).asText().strip()));
        }
        return rows;
    }

    private static String missingField(JsonNode node, DatasetFormat format) {
        for (String field : columns(format)) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull() || value.isContainerNode()) {
                return field;
            }
        }
        return null;
    }

    private static List<String> columns(DatasetFormat format) {
        return format.isPair() ? List.of(format.textColumn(), format.textBColumn(), format.labelColumn())
            : List.of(format.textColumn(), format.labelColumn());
    }

    /** A record of a CSV/TSV file split into fields, or its problem. */
    private record Fields(int line, List<String> values, String problem, int problemLine) {
    }

    private static List<Row> tableRows(Path file, List<Line> lines, DatasetFormat format) {
        List<Fields> records = format.kind() == DatasetFormat.Kind.CSV ? CsvParser.parse(lines) : tsvRecords(lines);
        if (records.isEmpty()) {
            return List.of();
        }
        List<String> wanted = columns(format);
        Fields first = records.get(0);
        // a first row naming any configured column is a header, so a misspelt column fails loudly instead of
        // turning the header into a training row with its own label
        boolean header = format.header() != null ? format.header()
            : first.problem() == null && first.values().stream().map(String::strip).anyMatch(wanted::contains);
        int[] index = new int[wanted.size()];
        int width = wanted.size();
        if (header) {
            List<String> names = first.values().stream().map(String::strip).toList();
            for (int c = 0; c < wanted.size(); c++) {
                index[c] = names.indexOf(wanted.get(c));
                if (index[c] < 0) {
                    throw new IllegalArgumentException(file + ":" + first.line() + ": header " + names
                        + " has no column '" + wanted.get(c) + "'");
                }
            }
            width = names.size();
        } else {
            for (int c = 0; c < index.length; c++) {
                index[c] = c;
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Fields rec : records.subList(header ? 1 : 0, records.size())) {
            if (rec.problem() != null) {
                rows.add(new Row(rec.line(), null, null, null, rec.problem(), rec.problemLine()));
            } else if (rec.values().size() != width) {
                rows.add(Row.bad(rec.line(), rec.values().size() + " columns, expected " + width));
            } else {
                List<String> v = rec.values();
                rows.add(Row.ok(rec.line(), v.get(index[0]), format.isPair() ? v.get(index[1]) : null,
                    v.get(index[index.length - 1]).strip()));
            }
        }
        return rows;
    }

    /** GLUE-style TSV: one record per line, fields split on tabs, no quoting. */
    private static List<Fields> tsvRecords(List<Line> lines) {
        List<Fields> records = new ArrayList<>();
        for (Line line : lines) {
            if (line.text().isBlank()) {
                continue;
            }
            records.add(line.badUtf8() ? new Fields(line.number(), null, "invalid UTF-8", line.number())
                : new Fields(line.number(), List.of(line.text().split("\t", -1)), null, line.number()));
        }
        return records;
    }

    /** RFC 4180 records: comma-separated, fields optionally in double quotes, {@code ""} for a quote, newlines in quotes. */
    private static final class CsvParser {
        private CsvParser() {
        }

        static List<Fields> parse(List<Line> lines) {
            List<Fields> records = new ArrayList<>();
            int i = 0;
            while (i < lines.size()) {
                Line first = lines.get(i);
                if (first.text().isBlank()) {
                    i++;
                    continue;
                }
                List<String> values = new ArrayList<>();
                StringBuilder field = new StringBuilder();
                String problem = null;
                int problemLine = first.number();
                boolean quoted = false;
                boolean afterQuote = false;
                boolean done = false;
                while (!done) {
                    Line line = lines.get(i++);
                    if (line.badUtf8() && problem == null) {
                        problem = "invalid UTF-8";
                        problemLine = line.number();
                    }
                    String s = line.text();
                    for (int k = 0; k < s.length(); k++) {
                        char c = s.charAt(k);
                        if (quoted) {
                            if (c != '"') {
                                field.append(c);
                            } else if (k + 1 < s.length() && s.charAt(k + 1) == '"') {
                                field.append('"');
                                k++;
                            } else {
                                quoted = false;
                                afterQuote = true;
                            }
                        } else if (c == ',') {
                            values.add(field.toString());
                            field.setLength(0);
                            afterQuote = false;
                        } else if (afterQuote) {
                            if (problem == null) {
                                problem = "unexpected '" + c + "' after a closing quote";
                                problemLine = line.number();
                            }
                        } else if (c == '"' && field.isEmpty()) {
                            quoted = true;
                        } else {
                            field.append(c);
                        }
                    }
                    if (!quoted) {
                        done = true;
                    } else if (i < lines.size()) {
                        field.append('\n');
                    } else {
                        problem = "unterminated quoted field";
                        done = true;
                    }
                }
                values.add(field.toString());
                records.add(new Fields(first.number(), values, problem, problemLine));
            }
            return records;
        }
    }
}
