package dev.minibert.eval;

import dev.minibert.model.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One self-contained HTML page: headings, paragraphs, tables, code blocks and PNG images embedded as base64 data
 * URIs, so the file can be mailed or archived alone. The markup is also well-formed XML (XHTML syntax), which lets
 * tests parse it with the JDK's XML parser. All text is escaped.
 */
public final class HtmlReport {
    private static final String STYLE = """
            body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse;margin:1em 0;font-size:90%}
            th,td{border:1px solid #bbb;padding:3px 8px;text-align:right}
            th{background:#eee}td:first-child,th:first-child{text-align:left}
            pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}
            figure{margin:1em 0}img{max-width:100%}figcaption{font-size:90%;color:#555}
            """;

    /** Marks the page as minibert's, so that {@code report --out} may replace it without --overwrite. */
    private static final String GENERATOR = "<meta name=\"generator\" content=\"minibert\"/>";

    /** A part of the page; images are read when the page is written. */
    private interface Block {
        void append(StringBuilder html) throws IOException;
    }

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public HtmlReport(String title) {
        this.title = title;
    }

    public HtmlReport heading(String text) {
        blocks.add(html -> html.append("<h2>").append(escape(text)).append("</h2>\n"));
        return this;
    }

    /** A heading one level below {@link #heading}, for the parts of a section. */
    public HtmlReport subheading(String text) {
        blocks.add(html -> html.append("<h3>").append(escape(text)).append("</h3>\n"));
        return this;
    }

    public HtmlReport paragraph(String text) {
        blocks.add(html -> html.append("<p>").append(escape(text)).append("</p>\n"));
        return this;
    }

    public HtmlReport table(List<String> header, List<List<String>> rows) {
        List<String> head = List.copyOf(header);
        List<List<String>> body = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).size() != head.size()) {
                throw new IllegalArgumentException("table row " + r + " has " + rows.get(r).size() + " cells for "
                        + head.size() + " columns");
            }
            body.add(List.copyOf(rows.get(r)));
        }
        blocks.add(html -> {
            html.append("<table>\n<thead><tr>");
            head.forEach(h -> html.append("<th>").append(escape(h)).append("</th>"));
            html.append("</tr></thead>\n<tbody>\n");
            for (List<String> row : body) {
                html.append("<tr>");
                row.forEach(c -> html.append("<td>").append(escape(c)).append("</td>"));
                html.append("</tr>\n");
            }
            html.append("</tbody>\n</table>\n");
        });
        return this;
    }

    /** Embeds a PNG; the file is read by {@link #write}, so it must still exist then. */
    public HtmlReport image(Path png, String caption) {
        blocks.add(html -> {
            String data = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
            html.append("<figure><img src=\"data:image/png;base64,").append(data).append("\" alt=\"")
                    .append(escape(caption)).append("\"/><figcaption>").append(escape(caption))
                    .append("</figcaption></figure>\n");
        });
        return this;
    }

    /** A verbatim block, e.g. the exact command or a config file. */
    public HtmlReport code(String text) {
        blocks.add(html -> html.append("<pre><code>").append(escape(text)).append("</code></pre>\n"));
        return this;
    }

    public String title() {
        return title;
    }

    /** Renders the page and replaces {@code html} atomically. */
    public void write(Path html) throws IOException {
        AtomicFiles.write(html, render().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code file} is a page this class wrote (its head carries the generator tag). */
    public static boolean writtenByMinibert(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(512), StandardCharsets.ISO_8859_1).contains(GENERATOR);
        }
    }

    String render() throws IOException {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n").append(GENERATOR).append("\n<title>").append(escape(title))
                .append("</title>\n<style>")
                .append(STYLE).append("</style>\n</head>\n<body>\n<h1>").append(escape(title)).append("</h1>\n");
        for (Block b : blocks) {
            b.append(html);
        }
        return html.append("</body>\n</html>\n").toString();
    }

    /** Escapes markup characters and drops code points XML 1.0 forbids (control characters). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (isXmlChar(c)) {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }

    private static boolean isXmlChar(int c) {
        return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0xD800) || (c > 0xDFFF && c < 0xFFFE)
                || c > 0xFFFF;
    }
}
