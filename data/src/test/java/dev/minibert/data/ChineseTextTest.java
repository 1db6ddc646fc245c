package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChineseTextTest {

    @Test
    void countsHanCharactersButNotCjkPunctuation() {
        assertThat(ChineseText.hanCount("你好，世界。abc")).isEqualTo(4);
        assertThat(ChineseText.hanCount("𠀀")).as("a supplementary-plane Han character is one").isEqualTo(1);
    }

    @Test
    void keepsAParagraphWithEightHanCharactersAndDropsOneWithSeven() {
        assertThat(ChineseText.isChineseEnough("一二三四五六七八")).isTrue();
        assertThat(ChineseText.isChineseEnough("一二三四五六七")).isFalse();
    }

    @Test
    void needsHalfOfTheNonSpaceCharactersToBeHan() {
        // 8 Han + 8 Latin letters: exactly half, kept; one more letter tips it under half
        assertThat(ChineseText.isChineseEnough("一二三四五六七八 abcdefgh")).isTrue();
        assertThat(ChineseText.isChineseEnough("一二三四五六七八 abcdefghi")).isFalse();
        assertThat(ChineseText.isChineseEnough("  一二三四五六七八     ")).as("spaces do not count").isTrue();
    }

    @Test
    void normalizeJoinsWrappedChineseAndKeepsSpacesBetweenWords() {
        assertThat(ChineseText.normalize("  这是一个\n  很长的句子。 ")).isEqualTo("这是一个很长的句子。");
        assertThat(ChineseText.normalize("这 是 一 个 例 子")).isEqualTo("这是一个例子");
        assertThat(ChineseText.normalize("运行 ls -l 命令")).isEqualTo("运行 ls -l 命令");
        assertThat(ChineseText.normalize("结束。\n下一句")).isEqualTo("结束。下一句");
        assertThat(ChineseText.normalize("\t\n ")).isEmpty();
    }

    @Test
    void addParagraphSkipsWhatNormalizesToNothing() {
        List<String> out = new ArrayList<>();
        ChineseText.addParagraph(out, " \n ");
        ChineseText.addParagraph(out, " 中 文 ");
        assertThat(out).containsExactly("中文");
    }
}
