package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoffTextTest {

    @Test
    void joinsWrappedLinesEndsParagraphsAtRequestsAndDropsNoFillBlocks() {
        String roff = """
                .\\" a comment
                .TH LS 1 2022年9月 "GNU coreutils 9.1" 用户命令
                .SH 名称
                ls \\- 列出目录内容
                .SH 描述
                .PP
                列出指定“文件”的信息。如果没有指定 \\fB\\-\\-sort\\fP，
                则按字母排序项目。
                .TP
                \\fB\\-a\\fR, \\fB\\-\\-all\\fP
                不要忽略以点号起始的条目
                .nf
                ls \\-la 示例代码不要
                .fi
                .B 粗体的参数文字
                .sp
                这 是 一 个 旧 式 的 段 落\\(em 带 转 义\\*(lq字 符
                """;
        assertThat(RoffText.paragraphs(roff)).containsExactly(
                "名称",
                "ls - 列出目录内容",
                "描述",
                "列出指定“文件”的信息。如果没有指定 --sort，则按字母排序项目。",
                "-a, --all",
                "不要忽略以点号起始的条目",
                "粗体的参数文字",
                "这是一个旧式的段落带转义字符");
    }

    @Test
    void unescapeRemovesFontSizeAndNamedEscapes() {
        assertThat(RoffText.unescape("\\f(CW代码\\fP \\s-2小\\s0 \\f[B]粗\\f[] \\e \\[u4E2D]x\\&y\\\"注释"))
                .isEqualTo("代码 小 粗 \\ xy");
    }
}
