package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every case of google-research/bert's tokenization_test.py, with the same inputs and expectations. */
class GoogleTokenizationTest {
    /**
     * The test vocab of tokenization_test.py. Our Vocab insists on all five specials, so [PAD] and [MASK]
     * are appended at the end, which leaves the ids the Python test expects unchanged.
     */
    static Vocab googleVocab(String... extra) {
        List<String> tokens = new ArrayList<>(List.of(
                "[UNK]", "[CLS]", "[SEP]", "want", "##want", "##ed", "wa", "un", "runn", "##ing"));
        tokens.addAll(List.of(extra));
        tokens.add("[PAD]");
        tokens.add("[MASK]");
        return Vocab.of(tokens);
    }

    @Test
    void fullTokenizer() {
        BertTokenizer tokenizer = new BertTokenizer(googleVocab(","), true);
        List<String> tokens = tokenizer.tokenize("UNwant\u00E9d,running");
        assertThat(tokens).containsExactly("un", "##want", "##ed", ",", "runn", "##ing");
        assertThat(tokenizer.convertTokensToIds(tokens)).containsExactly(7, 4, 5, 10, 8, 9);
    }

    @Test
    void chinese() {
        assertThat(new BasicTokenizer(true).tokenize("ah\u535A\u63A8zz")).containsExactly("ah", "\u535A", "\u63A8", "zz");
    }

    @Test
    void basicTokenizerLower() {
        BasicTokenizer tokenizer = new BasicTokenizer(true);
        assertThat(tokenizer.tokenize(" \tHeLLo!how  \n Are yoU?  "))
                .containsExactly("hello", "!", "how", "are", "you", "?");
        assertThat(tokenizer.tokenize("H\u00E9llo")).containsExactly("hello");
    }

    @Test
    void basicTokenizerNoLower() {
        assertThat(new BasicTokenizer(false).tokenize(" \tHeLLo!how  \n Are yoU?  "))
                .containsExactly("HeLLo", "!", "how", "Are", "yoU", "?");
    }

    @Test
    void wordpieceTokenizer() {
        WordpieceTokenizer tokenizer = new WordpieceTokenizer(googleVocab(), "[UNK]", 100);
        assertThat(tokenizer.tokenize("")).isEmpty();
        assertThat(tokenizer.tokenize("unwanted running")).containsExactly("un", "##want", "##ed", "runn", "##ing");
        assertThat(tokenizer.tokenize("unwantedX running")).containsExactly("[UNK]", "runn", "##ing");
    }

    @Test
    void convertTokensToIds() {
        BertTokenizer tokenizer = new BertTokenizer(googleVocab(), true);
        assertThat(tokenizer.convertTokensToIds(List.of("un", "##want", "##ed", "runn", "##ing")))
                .containsExactly(7, 4, 5, 8, 9);
    }

    @Test
    void isWhitespace() {
        assertThat(List.of(" ", "\t", "\r", "\n", "\u00A0")).allMatch(s -> BertCharacters.isWhitespace(s.codePointAt(0)));
        assertThat(List.of("A", "-")).noneMatch(s -> BertCharacters.isWhitespace(s.codePointAt(0)));
    }

    @Test
    void isControl() {
        assertThat(BertCharacters.isControl(0x0005)).isTrue();
        assertThat(List.of("A", " ", "\t", "\r", "\uD83D\uDCA9"))
                .noneMatch(s -> BertCharacters.isControl(s.codePointAt(0)));
    }

    @Test
    void isPunctuation() {
        assertThat(List.of("-", "$", "`", ".")).allMatch(s -> BertCharacters.isPunctuation(s.codePointAt(0)));
        assertThat(List.of("A", " ")).noneMatch(s -> BertCharacters.isPunctuation(s.codePointAt(0)));
    }

    /** Not in Google's test: maximum word length, and never-split specials inside running text. */
    @Test
    void longWordIsUnknownAndSpecialsStayWhole() {
        WordpieceTokenizer tokenizer = new WordpieceTokenizer(googleVocab(), "[UNK]", 5);
        assertThat(tokenizer.tokenize("wawawa wa")).containsExactly("[UNK]", "wa");
        BasicTokenizer basic = new BasicTokenizer(true, Set.of("[MASK]"));
        assertThat(basic.tokenize("A[MASK]b [mask]")).containsExactly("a", "[MASK]", "b", "[", "mask", "]");
    }
}
