package dev.minibert.eval.experiments;

import dev.minibert.eval.Series;
import dev.minibert.model.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A numeric table as a CSV file: one header line, then rows of numbers (the first column may be a label).
 * Cells never hold commas or quotes here, so no quoting is needed; {@link #read} rejects a file that breaks this.
 */
public final class CsvTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public CsvTable(String... header) {
        this(List.of(header));
    }

    private CsvTable(List<String> header) {
        this.header = List.copyOf(header);
    }

    /** Adds a row; numbers are written with full precision, NaN as "NaN". */
    public CsvTable add(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
        }
        List<String> row = new ArrayList<>();
        for (Object c : cells) {
            String s = c instanceof Double d ? Double.toString(d) : String.valueOf(c);
            if (s.contains(",") || s.contains("\n") || s.contains("\"")) {
                throw new IllegalArgumentException("CSV cell needs quoting: " + s);
            }
            row.add(s);
        }
        rows.add(row);
        return this;
    }

    public List<String> header() {
        return header;
    }

    public int size() {
        return rows.size();
    }

    public List<String> row(int i) {
        return rows.get(i);
    }

    /** A column as numbers. */
    public double[] column(String name) {
        int c = index(name);
        double[] out = new double[rows.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = Double.parseDouble(rows.get(r).get(c));
        }
        return out;
    }

    /** Column {@code y} against column {@code x}, as a chart line called {@code name}. */
    /** Every column but x as a series over x, named after its column: a chart of the whole table. */
    public List<Series> seriesOverFirstColumn() {
        String x = header().get(0);
        return header().subList(1, header().size()).stream().map(c -> series(c, x, c)).toList();
    }

    public Series series(String name, String x, String y) {
        return new Series(name, column(x), column(y));
    }

    /** A column as text. */
    public List<String> labels(String name) {
        int c = index(name);
        return rows.stream().map(r -> r.get(c)).toList();
    }

    private int index(String name) {
        int c = header.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException("no column '" + name + "' (columns: " + header + ")");
        }
        return c;
    }

    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (List<String> row : rows) {
            sb.append(String.join(",", row)).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a file {@link #write} wrote; a row with the wrong number of cells or a bad number names file and line. */
    public static CsvTable read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file + ": empty, expected a CSV header");
        }
        CsvTable t = new CsvTable(Arrays.asList(lines.get(0).split(",", -1)));
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            List<String> cells = Arrays.asList(lines.get(i).split(",", -1));
            if (cells.size() != t.header.size()) {
                throw new IOException(file + ":" + (i + 1) + ": " + cells.size() + " cells, the header has "
                        + t.header.size());
            }
            t.rows.add(cells);
        }
        return t;
    }
}
