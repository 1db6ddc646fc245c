package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the labels of the two labeled sets come from. */
class LabeledSourcesTest {

    @Test
    void libreOfficeTopicLabelsAParagraphWithItsHelpModule() {
        SourceDocument calc = new SourceDocument("h:x", "libreoffice-help-zh-cn",
                "usr/share/libreoffice/help/zh-CN/text/scalc/01/04060101.html",
                List.of("数据库函数", "数据库类别中的函数可以帮助分析简单的数据库。", "English only paragraph here"));
        SourceDocument top = new SourceDocument("h:y", "libreoffice-help-zh-cn",
                "usr/share/libreoffice/help/zh-CN/text/sdraw/main0000.html", List.of("欢迎使用绘图模块的帮助页面。"));
        assertThat(LibreOfficeTopic.rows(List.of(calc, top))).containsExactly(
                new LabeledSplit.Row("数据库类别中的函数可以帮助分析简单的数据库。", "scalc"),
                new LabeledSplit.Row("欢迎使用绘图模块的帮助页面。", "sdraw"));
        SourceDocument elsewhere = new SourceDocument("h:z", "libreoffice-help-zh-cn", "usr/share/doc/x.html", List.of());
        assertThatThrownBy(() -> LibreOfficeTopic.rows(List.of(elsewhere))).hasMessageContaining("package layout changed");
    }

    @Test
    void poetryDynastyJoinsTheLinesAndTakesTheDynastyFromTheFileName(@TempDir Path dir) throws Exception {
        Path q = Files.createDirectories(dir.resolve("package/dist/quantangshi"));
        Files.writeString(q.resolve("poet.tang.0.json"), """
                [{"author": "李白", "title": "靜夜思", "paragraphs": ["床前明月光，疑是地上霜。", "舉頭望明月，低頭思故鄉。"]},
                 {"author": "佚名", "title": "空", "paragraphs": []}]
                """);
        Files.writeString(q.resolve("poet.song.1000.json"), """
                [{"author": "蘇軾", "title": "題西林壁", "paragraphs": ["橫看成嶺側成峰，遠近高低各不同。"]}]
                """);
        Files.writeString(q.resolve("authors.tang.json"), "[{\"name\": \"李白\"}]");
        assertThat(PoetryDynasty.rows(dir)).containsExactly(
                new LabeledSplit.Row("橫看成嶺側成峰，遠近高低各不同。", "song"),
                new LabeledSplit.Row("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。", "tang"));
    }
}
