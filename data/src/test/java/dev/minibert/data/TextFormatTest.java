package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class TextFormatTest {

    @Test
    void formatFollowsThePathInsideThePackage() {
        assertThat(TextFormat.of("usr/share/doc/debian-handbook/html/zh-CN/index.html")).isEqualTo(TextFormat.HTML);
        assertThat(TextFormat.of("usr/share/help/zh_CN/gnome-help/net.page")).isEqualTo(TextFormat.MALLARD);
        assertThat(TextFormat.of("usr/share/man/zh_CN/man1/ls.1.gz")).isEqualTo(TextFormat.ROFF);
        assertThat(TextFormat.of("usr/share/locale/zh_CN/LC_MESSAGES/freeciv-core.mo")).isEqualTo(TextFormat.GETTEXT_MO);
        assertThat(TextFormat.of("po/zh_CN.po")).isEqualTo(TextFormat.GETTEXT_PO);
        assertThat(TextFormat.of("usr/share/games/fortunes/chinese")).isEqualTo(TextFormat.FORTUNE);
        assertThatThrownBy(() -> TextFormat.of("usr/share/doc/x/copyright")).hasMessageContaining("no converter");
    }

    @Test
    void gzippedFilesAreReadThroughGzip() throws Exception {
        String roff = ".SH 描述\n这是一个手册页的段落。\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(roff.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(TextFormat.ROFF.paragraphs(gz.toByteArray()))
                .isEqualTo(TextFormat.ROFF.paragraphs(roff.getBytes(StandardCharsets.UTF_8)))
                .containsExactly("描述", "这是一个手册页的段落。");
    }
}
