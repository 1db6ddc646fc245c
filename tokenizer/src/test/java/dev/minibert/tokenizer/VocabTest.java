package dev.minibert.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabTest {
    private static final String SPECIALS = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";

    @TempDir
    Path dir;

    @Test
    void readsIdsByLineAndFindsSpecialsByName() throws IOException {
        Vocab vocab = Vocab.read(write("a\n[MASK]\n##b\n[SEP]\n[CLS]\n中\n[UNK]\n[PAD]\n"));
        assertThat(vocab.size()).isEqualTo(8);
        assertThat(vocab.token(2)).isEqualTo("##b");
        assertThat(vocab.id("中")).isEqualTo(5);
        assertThat(vocab.id("missing")).isEqualTo(-1);
        assertThat(vocab.contains("a")).isTrue();
        assertThat(new int[] {vocab.padId(), vocab.unkId(), vocab.clsId(), vocab.sepId(), vocab.maskId()})
                .containsExactly(7, 6, 4, 3, 1);
        assertThat(vocab.isSpecial(1)).isTrue();
        assertThat(vocab.isSpecial(0)).isFalse();
        assertThatThrownBy(() -> vocab.token(8)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void toleratesBomCrlfAndMissingFinalNewline() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = (SPECIALS.replace("\n", "\r\n") + "x").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(text, 0, all, bom.length, text.length);
        Path file = dir.resolve("bom.txt");
        Files.write(file, all);
        Vocab vocab = Vocab.read(file);
        assertThat(vocab.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "x");
    }

    @Test
    void rejectsBadFilesNamingFileAndLine() throws IOException {
        Path dup = write(SPECIALS + "a\nb\na\n");
        assertThatThrownBy(() -> Vocab.read(dup)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dup + ":8: duplicate token 'a' (first at id 5)");
        Path empty = write(SPECIALS + "a\n\nb\n");
        assertThatThrownBy(() -> Vocab.read(empty)).hasMessageContaining(empty + ":7: empty token");
        Path noMask = write("[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
        assertThatThrownBy(() -> Vocab.read(noMask)).hasMessageContaining(noMask + ": missing special token [MASK]");
        Path nothing = write("");
        assertThatThrownBy(() -> Vocab.read(nothing)).hasMessageContaining(nothing + ": empty vocab file");

        Path invalid = dir.resolve("invalid.txt");
        byte[] head = (SPECIALS + "ok\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'x', (byte) 0xC3, '(', '\n', 'y', '\n'};
        byte[] all = new byte[head.length + bad.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        Files.write(invalid, all);
        assertThatThrownBy(() -> Vocab.read(invalid)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(invalid + ":7: invalid UTF-8");
    }

    @Test
    void ofValidatesLikeRead() {
        assertThatThrownBy(() -> Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[PAD]")))
                .hasMessageContaining("vocab token 5: duplicate token '[PAD]'");
        assertThatThrownBy(() -> Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[MASK]")))
                .hasMessageContaining("missing special token [SEP]");
    }

    @Test
    void writeReadRoundTripLeavesNoTemporaryFile() throws IOException {
        Vocab vocab = Vocab.of(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "中", "##文", "é"));
        Path file = dir.resolve("sub/vocab.txt");
        vocab.write(file);
        vocab.write(file);
        assertThat(Vocab.read(file).tokens()).isEqualTo(vocab.tokens());
        assertThat(Files.readString(file)).isEqualTo("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n中\n##文\né\n");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "vocab", ".txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
