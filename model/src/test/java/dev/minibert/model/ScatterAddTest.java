package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.kernels.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The kernels' row scatter-add against a plain double loop, with repeated rows, views and both float types. */
class ScatterAddTest {
    private static final int[] ROWS = {3, 0, 3, 5, 3, 1}; // row 3 three times, rows 2 and 4 never

    private static double[][] random(SplittableRandom rng, int rows, int cols) {
        double[][] a = new double[rows][cols];
        for (double[] row : a) {
            for (int j = 0; j < cols; j++) {
                row[j] = rng.nextDouble(-1, 1);
            }
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"}, mode = Mode.INCLUDE)
    void addsEverySourceRowIntoItsTargetRowAndRepeatsAddUp(DataType type) {
        SplittableRandom rng = new SplittableRandom(1);
        double[][] target = random(rng, 6, 4);
        double[][] source = random(rng, ROWS.length, 4);
        // target: rows 1..6 of an [8,4] array (a dense view at an offset); source: a column-major copy
        INDArray whole = Nd4j.zeros(type, 8, 4);
        INDArray t = whole.get(NDArrayIndex.interval(1, 7), NDArrayIndex.all());
        t.assign(Nd4j.createFromArray(target).castTo(type));
        INDArray s = Nd4j.createFromArray(source).castTo(type).dup('f');
        Kernels.forType(type).scatterAddRows(t, ROWS, s);

        double[][] expected = new double[6][];
        for (int r = 0; r < 6; r++) {
            expected[r] = target[r].clone();
        }
        for (int i = 0; i < ROWS.length; i++) {
            for (int j = 0; j < 4; j++) {
                expected[ROWS[i]][j] += source[i][j];
            }
        }
        double tolerance = type == DataType.DOUBLE ? 1e-15 : 1e-6;
        for (int r = 0; r < 6; r++) {
            for (int j = 0; j < 4; j++) {
                assertThat(t.getDouble(r, j)).as("[%d,%d]", r, j).isCloseTo(expected[r][j],
                        org.assertj.core.api.Assertions.within(tolerance));
            }
        }
        assertThat(whole.getRow(0).sumNumber().doubleValue()).as("row before the view").isZero();
        assertThat(whole.getRow(7).sumNumber().doubleValue()).as("row after the view").isZero();
    }

    @Test
    void rejectsRowsOutOfRangeAndMismatchedShapes() {
        INDArray target = Nd4j.zeros(DataType.FLOAT, 3, 2);
        assertThatThrownBy(() -> Kernels.forType(DataType.FLOAT).scatterAddRows(target, new int[] {3}, Nd4j.zeros(DataType.FLOAT, 1, 2)))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> Kernels.forType(DataType.FLOAT).scatterAddRows(target, new int[] {0, 1}, Nd4j.zeros(DataType.FLOAT, 1, 2)))
                .hasMessageContaining("scatter-add: [1, 2]");
        assertThatThrownBy(() -> Kernels.forType(DataType.FLOAT).scatterAddRows(target, new int[] {0}, Nd4j.zeros(DataType.DOUBLE, 1, 2)))
                .hasMessageContaining("scatter-add: [1, 2]");
        assertThatThrownBy(() -> Kernels.forType(DataType.FLOAT).scatterAddRows(Nd4j.zeros(DataType.FLOAT, 2, 3).transpose(), new int[] {0},
                Nd4j.zeros(DataType.FLOAT, 1, 2))).hasMessageContaining("dense row-major");
    }
}
