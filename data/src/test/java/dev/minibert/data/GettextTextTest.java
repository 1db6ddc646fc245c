package dev.minibert.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GettextTextTest {

    private static final String PO = """
            # translator comment
            msgid ""
            msgstr ""
            "Content-Type: text/plain; charset=UTF-8\\n"

            #: src/a.c:1
            msgid "Hello"
            msgstr "你好，<b>世界</b>"

            #, fuzzy
            msgid "Long"
            msgstr ""
            "第一行\\n"
            "第二行 \\"引号\\""

            msgid "one file"
            msgid_plural "%d files"
            msgstr[0] "一个文件"
            msgstr[1] "多个文件"

            msgid "untranslated"
            msgstr ""

            msgid "help"
            msgstr "参见<ref>dst='unit_x' text='骑兵'</ref>一节"
            """;

    @Test
    void poGivesTranslationsSplitAtLineBreaksWithMarkupRemoved() {
        assertThat(GettextText.fromPo(PO)).containsExactly("你好，世界", "第一行", "第二行 \"引号\"", "一个文件", "参见骑兵一节");
    }

    @Test
    void moInBothByteOrdersGivesTheTranslationsAndFirstPluralForm() {
        List<String[]> entries = List.of(
                new String[] {"", "Content-Type: text/plain; charset=UTF-8\n"},
                new String[] {"Hello", "你好"},
                new String[] {"one file\0%d files", "一个文件\0多个文件"},
                new String[] {"two\nlines", "第一行\n第二行"});
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            assertThat(GettextText.fromMo(mo(entries, order))).as(order.toString())
                    .containsExactly("你好", "一个文件", "第一行", "第二行");
        }
    }

    @Test
    void moAgreesWithMsgfmt(@TempDir Path dir) throws Exception {
        Path po = Files.writeString(dir.resolve("t.po"), PO);
        Path mo = dir.resolve("t.mo");
        Process p;
        try {
            p = new ProcessBuilder("msgfmt", "-o", mo.toString(), po.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "msgfmt (gettext) not installed");
            return;
        }
        assertThat(p.waitFor()).isZero();
        // msgfmt leaves out fuzzy and untranslated entries and sorts by msgid
        assertThat(GettextText.fromMo(Files.readAllBytes(mo))).containsExactlyInAnyOrder("你好，世界", "一个文件", "参见骑兵一节");
    }

    @Test
    void aFileThatIsNotMoFailsWithTheReason() {
        assertThatThrownBy(() -> GettextText.fromMo(new byte[40])).hasMessageContaining("bad magic number");
        assertThatThrownBy(() -> GettextText.fromMo(new byte[3])).hasMessageContaining("not a gettext .mo file");
    }

    /** A .mo file as the GNU gettext manual lays it out: header, two tables of (length, offset), then the strings. */
    private static byte[] mo(List<String[]> entries, ByteOrder order) {
        int n = entries.size();
        int originals = 28;
        int translations = originals + 8 * n;
        int strings = translations + 8 * n;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(strings).order(order);
        head.putInt(0x950412de).putInt(0).putInt(n).putInt(originals).putInt(translations).putInt(0).putInt(0);
        for (int column = 0; column < 2; column++) {
            for (int k = 0; k < n; k++) {
                byte[] s = entries.get(k)[column].getBytes(StandardCharsets.UTF_8);
                head.putInt((column == 0 ? originals : translations) + 8 * k, s.length);
                head.putInt((column == 0 ? originals : translations) + 8 * k + 4, strings + data.size());
                data.writeBytes(s);
                data.write(0);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.array());
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }
}
