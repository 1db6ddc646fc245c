package dev.minibert.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Deterministic, deliberately awkward text: the cases where BERT tokenizers tend to disagree. */
final class VariedText {
    static final String CJK = "我们的是不了在人有这中大为上个国和地到以说时要就出会可也你对生能而子那得于着下自之年过发后"
            + "作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实"
            + "北京天安门汉字语言模型训练数据注意力機器學習體驗" + "\uD840\uDC00\uD869\uDEA5\uF900\uFA0E";
    static final String[] LATIN = {"want", "wanted", "unwanted", "running", "runner", "the", "The", "THE", "cafe",
            "café", "Café", "naïve", "NAÏVE", "Ångström", "résumé", "ÉCOLE", "Straße", "İstanbul", "ΟΔΟΣ", "σοφός",
            "Привет", "мир", "hello", "Hello", "world", "BERT", "tokenizer", "don't", "e\u0301t\u00E9", "ﬁne",
            "Ǆemal", "한국어", "ひらがな", "カタカナ", "ｆｕｌｌ", "ＡＢＣ", "x" .repeat(120), "supercalifragilistic"};
    static final String[] DIGITS = {"0", "7", "42", "2024", "3.14", "１２３", "٣", "10,000", "1e-5"};
    static final String[] PUNCT = {".", ",", "!", "?", "-", "$", "`", "^", "~", "(", ")", "[", "]", "{", "}", "'", "\"",
            "，", "。", "！", "？", "、", "「", "」", "《", "》", "：", "；", "…", "—", "·", "\u037E", "¿", "¡", "#", "##"};
    static final String[] EMOJI = {"😀", "👍🏽", "🫠", "❤️", "🇨🇳", "👨‍👩‍👧", "⭐", "©", "™"};
    static final String[] ODD = {"\u0000", "\u0001", "\u007F", "\u0085", "\u200B", "\u00AD", "\uFEFF", "\uFFFD",
            "\uE000", "\u0301", "\u0308"};
    static final String[] SPACE = {" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u3000", "\u00A0", "\u2028", "\u2003"};
    static final String[] SPECIAL = {"[MASK]", "[SEP]", "[mask]", "[UNK]x", "a[CLS]b"};

    private VariedText() {
    }

    static List<String> lines(long seed, int count) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(line(random));
        }
        return lines;
    }

    static String line(Random random) {
        StringBuilder s = new StringBuilder();
        int parts = 1 + random.nextInt(14);
        for (int p = 0; p < parts; p++) {
            int kind = random.nextInt(100);
            if (kind < 35) {
                int n = 1 + random.nextInt(8);
                for (int k = 0; k < n; k++) {
                    s.appendCodePoint(CJK.codePoints().skip(random.nextInt((int) CJK.codePoints().count())).findFirst()
                            .orElseThrow());
                }
            } else if (kind < 60) {
                s.append(pick(random, LATIN));
            } else if (kind < 68) {
                s.append(pick(random, DIGITS));
            } else if (kind < 80) {
                s.append(pick(random, PUNCT));
            } else if (kind < 86) {
                s.append(pick(random, EMOJI));
            } else if (kind < 92) {
                s.append(pick(random, ODD));
            } else if (kind < 95) {
                s.append(pick(random, SPECIAL));
            } else {
                s.append(pick(random, SPACE));
            }
            if (random.nextInt(3) > 0) {
                s.append(pick(random, SPACE));
            }
        }
        return s.toString();
    }

    /** A small vocab that covers most, not all, of the above: some words fall to [UNK]. */
    static Vocab smallVocab() {
        Set<String> tokens = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        CJK.codePoints().limit(CJK.codePointCount(0, CJK.length()) - 4).forEach(cp -> tokens.add(Character.toString(cp)));
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(String.valueOf(c));
            tokens.add("##" + c);
        }
        for (char c = 'A'; c <= 'Z'; c += 2) {
            tokens.add(String.valueOf(c));
            tokens.add("##" + c);
        }
        for (char c = '0'; c <= '9'; c++) {
            tokens.add(String.valueOf(c));
            tokens.add("##" + c);
        }
        for (String w : List.of("want", "##want", "##ed", "un", "runn", "##ing", "the", "caf", "##e", "##é", "é", "hello",
                "world", "##ld", "wor", "bert", "token", "##izer", "na", "##ive", "##ï", "ecole", "##ole", "i", "##st",
                "##anbul", "ο", "##δ", "##ο", "##ς", "##σ", "σ", "##φ", "##ό", "при", "##вет", "мир", "한", "##국", "##어",
                "ひ", "##ら", "##が", "##な", "ｆ", "##ｕ", "##ｌ", "20", "##24", "42", "１", "##２", "##３", "super", "##cal")) {
            tokens.add(w);
        }
        for (String p : PUNCT) {
            if (p.length() == 1) {
                tokens.add(p);
            }
        }
        tokens.add("😀");
        tokens.add("⭐");
        return Vocab.of(new ArrayList<>(tokens));
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }
}
