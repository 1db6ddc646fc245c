package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

    @Test
    void splitsAfterEachEndMark() {
        assertThat(SentenceSplitter.split("第一句。第二句！第三句？第四句；第五句"))
                .containsExactly("第一句。", "第二句！", "第三句？", "第四句；", "第五句");
    }

    @Test
    void keepsClosingQuotesAndRunsOfMarksWithTheirSentence() {
        assertThat(SentenceSplitter.split("他说：“走吧。”我们就走了……后来呢？！「好。」"))
                .containsExactly("他说：“走吧。”", "我们就走了……", "后来呢？！", "「好。」");
    }

    @Test
    void doesNotSplitOnCommasOrAsciiPeriods() {
        assertThat(SentenceSplitter.split("版本 1.2，发布于 2023 年。")).containsExactly("版本 1.2，发布于 2023 年。");
    }

    @Test
    void dropsEmptyPieces() {
        assertThat(SentenceSplitter.split("好。 ")).containsExactly("好。");
        assertThat(SentenceSplitter.split("")).isEmpty();
    }
}
