package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FortuneTextTest {

    @Test
    void recordsAndBlankLinesSeparateParagraphsAndColoursAreRemoved() {
        String fortunes = "要有礼貌\n\n在 Debian 这种规模的项目中，很难避免遇到与你意见不和，或者难以合作\n"
                + "的人。\n\n\u001b[33m    -- Debian \u001b[32m《行为准则》\u001b[m第一条\u001b[m\n%\n"
                + "善意推定\n%\n";
        assertThat(FortuneText.paragraphs(fortunes)).containsExactly("要有礼貌",
                "在 Debian 这种规模的项目中，很难避免遇到与你意见不和，或者难以合作的人。",
                "-- Debian 《行为准则》第一条", "善意推定");
    }
}
