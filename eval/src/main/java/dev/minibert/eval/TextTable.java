package dev.minibert.eval;

import java.util.List;

/** A plain-text table with aligned columns for terminal output: text left-aligned, everything else right-aligned. */
public final class TextTable {
    private TextTable() {
    }

    public static String render(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, width);
        for (int c = 0; c < width.length; c++) {
            out.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        }
        out.append('\n');
        rows.forEach(r -> line(out, r, width));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            boolean numeric = !cell.isEmpty() && (Character.isDigit(cell.charAt(0)) || cell.charAt(0) == '-'
                    || cell.equals("n/a"));
            out.append(c == 0 ? "" : "  ").append(numeric ? pad + cell : cell + (c == cells.size() - 1 ? "" : pad));
        }
        out.append('\n');
    }
}
