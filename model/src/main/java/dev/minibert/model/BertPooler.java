package dev.minibert.model;

import dev.minibert.model.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** tanh(dense(h[:, 0])): the [CLS] position's hidden state → [B,H]. */
public final class BertPooler {
    private final Linear dense;
    private final Kernels kernels;
    private final int hidden;
    private SelectedTokens cls; // the last forward's [CLS] rows
    private INDArray first;
    private INDArray output;
    private INDArray preGrad;
    private INDArray inputGrad;

    /** prefix: e.g. "bert.pooler.". */
    public BertPooler(ParameterStore store, String prefix, BertConfig config) {
        this.hidden = config.hiddenSize;
        this.dense = new Linear(store, prefix + "dense", hidden, hidden);
        this.kernels = store.kernels();
    }

    /** hidden: [B·T,H] → [B,H]. */
    public INDArray forward(INDArray hiddenStates, int batch, int seqLen) {
        cls = SelectedTokens.firstTokens(batch, seqLen);
        first = Scratch.reuse(first, hiddenStates.dataType(), batch, hidden);
        kernels.gatherRows(hiddenStates, cls.rows(), first);
        output = Scratch.reuse(output, hiddenStates.dataType(), batch, hidden);
        output.assign(dense.forward(first));
        return Transforms.tanh(output, false);
    }

    /** dPooled: [B,H] → gradient w.r.t. the hidden states [B·T,H] (zero except at [CLS]). */
    public INDArray backward(INDArray dPooled) {
        int batch = (int) dPooled.rows();
        preGrad = Scratch.reuse(preGrad, dPooled.dataType(), batch, hidden);
        // tanh' = 1 - y²
        preGrad.assign(output).muli(output).rsubi(1).muli(dPooled);
        inputGrad = Scratch.reuse(inputGrad, dPooled.dataType(), (long) batch * cls.seqLen(), hidden);
        inputGrad.assign(0);
        kernels.scatterAddRows(inputGrad, cls.rows(), dense.backward(preGrad));
        return inputGrad;
    }
}
