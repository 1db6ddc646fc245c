package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class AttentionHeadsTest {
    private static final int BATCH = 2;
    private static final int SEQ = 3;
    private static final int HEADS = 3;
    private static final int HEAD_SIZE = 4;
    private static final int WIDTH = 3 * HEADS * HEAD_SIZE + 1;

    /** [b,h,t,j] of the view is token b·T+t's column column + h·d + j, read and written in place. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void eachHeadIsItsTokensColumnsInPlace(DataType type) {
        // a row range of a larger array: the view starts past the buffer's first element
        INDArray tokens = GradientCheck.randn(41, BATCH * SEQ + 1, WIDTH).castTo(type)
                .get(NDArrayIndex.interval(1, BATCH * SEQ + 1), NDArrayIndex.all());
        AttentionHeads layout = new AttentionHeads(BATCH, SEQ, HEADS, HEAD_SIZE);
        int column = HEADS * HEAD_SIZE + 1;
        INDArray perHead = layout.of(tokens, column);
        assertThat(perHead.shape()).containsExactly(BATCH, HEADS, SEQ, HEAD_SIZE);
        for (int b = 0; b < BATCH; b++) {
            for (int h = 0; h < HEADS; h++) {
                for (int t = 0; t < SEQ; t++) {
                    for (int j = 0; j < HEAD_SIZE; j++) {
                        assertThat(perHead.getDouble(b, h, t, j)).as("[%d,%d,%d,%d]", b, h, t, j)
                                .isEqualTo(tokens.getDouble(b * SEQ + t, column + h * HEAD_SIZE + j));
                    }
                }
            }
        }
        perHead.putScalar(new long[] {1, 2, 0, 3}, 7.5);
        assertThat(tokens.getDouble(SEQ, column + 2 * HEAD_SIZE + 3)).isEqualTo(7.5);
    }

    @Test
    void refusesColumnsPastTheRowOrARowCountThatIsNotBatchTimesLength() {
        AttentionHeads layout = new AttentionHeads(BATCH, SEQ, HEADS, HEAD_SIZE);
        INDArray tokens = GradientCheck.randn(42, BATCH * SEQ, WIDTH);
        assertThatThrownBy(() -> layout.of(tokens, WIDTH - HEADS * HEAD_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[6, 37]");
        assertThatThrownBy(() -> layout.of(GradientCheck.randn(43, BATCH * SEQ + 1, WIDTH), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[7, 37]");
        assertThatThrownBy(() -> layout.of(tokens.transpose().transpose().dup('f'), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not dense row-major");
    }
}
