package dev.minibert.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The running text of an HTML page or a GNOME help page (Mallard .page), one entry per block element (paragraph,
 * heading, list item, table cell). Code blocks, page heads, navigation and metadata are dropped with everything
 * inside them; inline markup is dropped and its text kept. A lenient scanner, not a parser:
 * these files are machine-generated and regular, and a stray tag must not lose the rest of a page.
 */
public final class MarkupText {

    /** Which elements hide their whole content; the block elements are shared. */
    public enum Dialect {
        /** header, aside and footer hold the navigation and boilerplate repeated on every page. */
        HTML(Set.of("script", "style", "pre", "head", "noscript", "svg", "header", "aside", "footer", "nav")),
        MALLARD(Set.of("info", "screen", "media"));

        final Set<String> hidden;

        Dialect(Set<String> hidden) {
            this.hidden = hidden;
        }
    }

    private static final Set<String> BLOCKS = Set.of("p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd",
            "h1", "h2", "h3", "h4", "h5", "h6", "title", "tr", "td", "th", "table", "tbody", "thead", "blockquote",
            "section", "caption", "figure", "hr", "body", "desc", "note", "list", "terms", "subtitle", "page");
    private static final Pattern TAG_NAME = Pattern.compile("^/?\\s*([A-Za-z][A-Za-z0-9_:.-]*)");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);");
    private static final Map<String, String> NAMED = Map.ofEntries(Map.entry("amp", "&"), Map.entry("lt", "<"),
            Map.entry("gt", ">"), Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("nbsp", " "),
            Map.entry("mdash", "—"), Map.entry("ndash", "–"), Map.entry("hellip", "…"), Map.entry("ldquo", "“"),
            Map.entry("rdquo", "”"), Map.entry("lsquo", "‘"), Map.entry("rsquo", "’"), Map.entry("middot", "·"),
            Map.entry("times", "×"), Map.entry("copy", "©"));

    private MarkupText() {
    }

    public static List<String> paragraphs(String markup, Dialect dialect) {
        List<String> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String hiddenName = null;
        int hiddenDepth = 0;
        int i = 0;
        int n = markup.length();
        while (i < n) {
            char c = markup.charAt(i);
            if (c != '<') {
                int next = markup.indexOf('<', i);
                int end = next < 0 ? n : next;
                if (hiddenName == null) {
                    text.append(decodeEntities(markup.substring(i, end)));
                }
                i = end;
                continue;
            }
            if (markup.startsWith("<!--", i)) {
                i = skipPast(markup, i, "-->");
                continue;
            }
            if (markup.startsWith("<![CDATA[", i)) {
                int end = markup.indexOf("]]>", i);
                end = end < 0 ? n : end;
                if (hiddenName == null) {
                    text.append(markup, i + 9, end);
                }
                i = Math.min(n, end + 3);
                continue;
            }
            int close = markup.indexOf('>', i);
            if (close < 0) {
                break;
            }
            String tag = markup.substring(i + 1, close);
            i = close + 1;
            Matcher m = TAG_NAME.matcher(tag);
            if (tag.startsWith("!") || tag.startsWith("?") || !m.find()) {
                continue;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            boolean closing = tag.startsWith("/");
            boolean selfClosing = tag.endsWith("/");
            if (hiddenName != null) {
                if (name.equals(hiddenName) && !selfClosing) {
                    hiddenDepth += closing ? -1 : 1;
                    if (hiddenDepth == 0) {
                        hiddenName = null;
                    }
                }
                continue;
            }
            if (BLOCKS.contains(name)) {
                flush(text, out);
            }
            if (dialect.hidden.contains(name) && !closing && !selfClosing) {
                hiddenName = name;
                hiddenDepth = 1;
            }
        }
        flush(text, out);
        return out;
    }

    private static int skipPast(String s, int from, String end) {
        int at = s.indexOf(end, from);
        return at < 0 ? s.length() : at + end.length();
    }

    private static void flush(StringBuilder text, List<String> out) {
        ChineseText.addParagraph(out, text);
        text.setLength(0);
    }

    static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String replacement;
            if (e.startsWith("#x") || e.startsWith("#X")) {
                replacement = codePoint(Integer.parseInt(e.substring(2), 16));
            } else if (e.startsWith("#")) {
                replacement = codePoint(Integer.parseInt(e.substring(1)));
            } else {
                replacement = NAMED.getOrDefault(e, "");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String codePoint(int cp) {
        return Character.isValidCodePoint(cp) ? new String(Character.toChars(cp)) : "";
    }
}
