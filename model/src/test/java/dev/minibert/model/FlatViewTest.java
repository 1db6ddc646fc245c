package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Which arrays the kernels address in place: a view of a dense array reads and writes the elements ND4J's own
 * indexing finds, whatever stride ND4J gave its axes of one element; anything else is copied first.
 */
class FlatViewTest {

    @Test
    void denseArraysWithAxesOfOneElementAreViewedInPlace() {
        INDArray matrix = Nd4j.arange(0, 40).castTo(DataType.FLOAT).reshape('c', 8, 5);
        INDArray column = Nd4j.arange(0, 8).castTo(DataType.FLOAT).reshape('c', 8, 1);
        for (INDArray x : new INDArray[] {
                Nd4j.create(DataType.FLOAT, 1, 1).assign(7), // a 1-label head's logits at batch 1
                matrix.get(NDArrayIndex.interval(3, 4), NDArrayIndex.all()), // one row of a larger matrix
                matrix.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all()), // a row range
                column.get(NDArrayIndex.interval(2, 3), NDArrayIndex.all()), // 1×1 of a column
                column.get(NDArrayIndex.interval(2, 6), NDArrayIndex.all())}) {
            assertThat(FlatView.isPlain(x)).as(x.shapeInfoToString()).isTrue();
            assertThat(FlatView.plain(x)).isSameAs(x);
            FlatView view = FlatView.of(x);
            for (int i = 0; i < x.rows(); i++) {
                for (int j = 0; j < x.columns(); j++) {
                    assertThat(view.get(i * (int) x.columns() + j)).isEqualTo(x.getDouble(i, j));
                    view.set(i * (int) x.columns() + j, 100 + i * 10 + j);
                    assertThat(x.getDouble(i, j)).as("written through").isEqualTo(100 + i * 10 + j);
                }
            }
        }
    }

    @Test
    void stridedArraysAreCopiedInRowMajorOrder() {
        INDArray matrix = Nd4j.arange(0, 40).castTo(DataType.FLOAT).reshape('c', 8, 5);
        for (INDArray x : new INDArray[] {matrix.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3)),
                matrix.transpose(), matrix.dup('f')}) {
            assertThat(FlatView.isPlain(x)).as(x.shapeInfoToString()).isFalse();
            INDArray copy = FlatView.plain(x);
            assertThat(copy).isNotSameAs(x).isEqualTo(x);
            assertThat(FlatView.isPlain(copy)).isTrue();
        }
    }
}
