package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class AttentionHeadsTest {
    private static final int BATCH = 2;
    private static final int SEQ = 3;
    private static final int HEADS = 3;
    private static final int HEAD_SIZE = 4;

    /** split puts token (b,t)'s head h, columns [h·d, (h+1)·d) of row b·T+t, at [b,h,t,:]; merge undoes it. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void splitMovesEachHeadsColumnsToItsOwnMatrixAndMergeMovesThemBack(DataType type) {
        INDArray tokens = GradientCheck.randn(41, BATCH * SEQ, HEADS * HEAD_SIZE).castTo(type);
        AttentionHeads layout = new AttentionHeads(BATCH, SEQ, HEADS, HEAD_SIZE);
        INDArray perHead = layout.split(tokens, null);
        assertThat(perHead.shape()).containsExactly(BATCH, HEADS, SEQ, HEAD_SIZE);
        for (int b = 0; b < BATCH; b++) {
            for (int h = 0; h < HEADS; h++) {
                for (int t = 0; t < SEQ; t++) {
                    for (int j = 0; j < HEAD_SIZE; j++) {
                        assertThat(perHead.getDouble(b, h, t, j)).as("[%d,%d,%d,%d]", b, h, t, j)
                                .isEqualTo(tokens.getDouble(b * SEQ + t, h * HEAD_SIZE + j));
                    }
                }
            }
        }
        assertThat(layout.merge(perHead, null).data().asDouble()).containsExactly(tokens.data().asDouble());
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void aViewIsSplitInItsLogicalOrder(DataType type) {
        INDArray wide = GradientCheck.randn(42, BATCH * SEQ, HEADS * HEAD_SIZE + 2).castTo(type);
        INDArray view = wide.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 1 + HEADS * HEAD_SIZE));
        AttentionHeads layout = new AttentionHeads(BATCH, SEQ, HEADS, HEAD_SIZE);
        assertThat(layout.split(view, null).data().asDouble())
                .containsExactly(layout.split(view.dup('c'), null).data().asDouble());
    }
}
