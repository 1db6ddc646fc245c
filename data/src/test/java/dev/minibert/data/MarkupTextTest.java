package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MarkupTextTest {

    @Test
    void htmlKeepsBlocksAndInlineTextAndDropsHeadCodeAndNavigation() {
        String html = """
                <!DOCTYPE html><html><head><title>页面标题不要</title><meta charset="utf-8">
                <script>var x = "脚本里的中文";</script></head>
                <body><header><a href="/">网站导航</a></header>
                <h1>安装 Debian</h1>
                <p>运行 <code>apt-get</code> 命令来安装
                   软件包&nbsp;&amp;&#x4E2D;&#25991;。</p>
                <!-- 注释里的文字 -->
                <pre class="screen">$ sudo apt-get install 代码块</pre>
                <ul><li>第一项</li><li>第二<b>项</b></li></ul>
                <footer>页脚</footer></body></html>
                """;
        assertThat(MarkupText.paragraphs(html, MarkupText.Dialect.HTML))
                .containsExactly("安装 Debian", "运行 apt-get 命令来安装软件包 &中文。", "第一项", "第二项");
    }

    @Test
    void htmlVoidMetaDoesNotHideTheRestOfThePage() {
        assertThat(MarkupText.paragraphs("<meta itemprop=\"keywords\" content=\"x\"><p>正文</p>", MarkupText.Dialect.HTML))
                .containsExactly("正文");
    }

    @Test
    void nestedHiddenElementsEndAtTheirOwnClosingTag() {
        String html = "<body><pre>a<pre>b</pre>c</pre><p>之后</p></body>";
        assertThat(MarkupText.paragraphs(html, MarkupText.Dialect.HTML)).containsExactly("之后");
    }

    @Test
    void mallardDropsInfoAndScreenBlocks() {
        String page = """
                <?xml version="1.0" encoding="utf-8"?>
                <page xmlns="http://projectmallard.org/1.0/" id="net-wireless">
                  <info><credit><name>作者姓名</name></credit><desc>摘要</desc></info>
                  <title>连接到无线网络</title>
                  <p>打开<gui>系统菜单</gui>，然后选择网络。</p>
                  <screen>nmcli device wifi</screen>
                  <list><item><p>检查开关</p></item></list>
                </page>
                """;
        assertThat(MarkupText.paragraphs(page, MarkupText.Dialect.MALLARD))
                .containsExactly("连接到无线网络", "打开系统菜单，然后选择网络。", "检查开关");
    }

    @Test
    void unknownAndOutOfRangeEntitiesVanish() {
        assertThat(MarkupText.decodeEntities("a&bogus;b&#99999999;c&#x110000;d&lt;")).isEqualTo("ab&#99999999;cd<");
    }
}
