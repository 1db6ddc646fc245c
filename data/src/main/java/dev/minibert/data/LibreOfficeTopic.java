package dev.minibert.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code libreoffice-topic}: paragraphs of LibreOffice's Chinese help labeled by the help module they come from
 * (shared, scalc, swriter, sbasic, simpress, smath, schart, sdraw, sdatabase). The label is provenance, not a
 * judgement, so it is exact; the classes are imbalanced (report macro-F1).
 */
public final class LibreOfficeTopic {
    public static final String NAME = "libreoffice-topic";
    private static final Pattern MODULE = Pattern.compile("/help/zh-CN/text/([a-z]+)/");

    private LibreOfficeTopic() {
    }

    /** One row per paragraph with enough Chinese, from the help's HTML pages. */
    public static List<LabeledSplit.Row> rows(List<SourceDocument> helpDocs) {
        List<LabeledSplit.Row> rows = new ArrayList<>();
        for (SourceDocument d : helpDocs) {
            Matcher m = MODULE.matcher("/" + d.path());
            if (!m.find()) {
                throw new FetchException(d.id() + ": not under help/zh-CN/text/<module>/; the package layout changed");
            }
            for (String p : d.paragraphs()) {
                if (ChineseText.isChineseEnough(p)) {
                    rows.add(new LabeledSplit.Row(p, m.group(1)));
                }
            }
        }
        return rows;
    }
}
