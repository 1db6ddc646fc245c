package dev.minibert.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Each sequence's first token ([CLS]) among token rows [B·T, W]: row b·T for each b. */
record FirstTokens(int batch, int seqLen) {
    /** The first tokens' rows of flat [B·T, W] as a [B, W] view (dense row-major flat: writes reach it). */
    INDArray rows(INDArray flat) {
        return flat.reshape('c', batch, seqLen, flat.columns())
                .get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
    }
}
