package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BasicTokenizerTest {
    @Test
    void mixedChineseEnglishDigitsEmojiAndFullWidth() {
        BasicTokenizer lower = new BasicTokenizer(true);
        assertThat(lower.tokenize("我用BERT模型,准确率99.5%！😀👍🏽 ＡＢＣ１２３（全角）"))
                .containsExactly("我", "用", "bert", "模", "型", ",", "准", "确", "率", "99", ".", "5", "%", "！",
                        "😀👍🏽", "ａｂｃ１２３", "（", "全", "角", "）");
        // CJK extension B and a compatibility ideograph are isolated too; kana and hangul are not
        assertThat(new BasicTokenizer(false).tokenize("𠀀天ひらがな한국어")).containsExactly("𠀀", "天", "ひらがな한국어");
        // uncased BERT's known quirk: accent stripping also strips the dakuten and decomposes hangul
        assertThat(lower.tokenize("ひらがな한국어"))
                .containsExactly("ひらかな" + Normalizer.normalize("한국어", Normalizer.Form.NFD));
        assertThat(new BasicTokenizer(false).tokenize("Ｃafé\u3000NAÏVE\u00A0x\u2028y"))
                .containsExactly("Ｃafé", "NAÏVE", "x", "y");
    }

    @Test
    void cleansNulReplacementAndControlCharacters() {
        assertThat(new BasicTokenizer(true).tokenize("a\u0000b\uFFFDc\u200Bd\u0001 e\u00ADf\u0007"))
                .containsExactly("abcd", "ef");
    }

    @Test
    void offsetsPointIntoTheOriginalText() {
        String text = " Éco\u0301le, 北京\uD83D\uDE00x [MASK]!";
        List<String> words = new ArrayList<>();
        List<String> spans = new ArrayList<>();
        new BasicTokenizer(true, Set.of("[MASK]")).tokenize(text, (chars, starts, ends, length, special) -> {
            words.add(new String(chars, 0, length) + (special ? "*" : ""));
            spans.add(text.substring(starts[0], ends[length - 1]));
        });
        assertThat(words).containsExactly("ecole", ",", "北", "京", "\uD83D\uDE00x", "[MASK]*", "!");
        // the stripped combining accent still belongs to the word's span
        assertThat(spans).containsExactly("Éco\u0301le", ",", "北", "京", "\uD83D\uDE00x", "[MASK]", "!");
    }

    @Test
    void lowercasingIsPerCharacter() {
        // no final-sigma rule (HF lower-cases char by char); dotted capital I becomes a plain i once its dot is stripped
        assertThat(new BasicTokenizer(true).tokenize("ΟΔΟΣ İstanbul ǅ")).containsExactly("οδοσ", "istanbul", "ǆ");
    }
}
