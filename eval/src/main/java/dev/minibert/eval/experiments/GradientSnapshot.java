package dev.minibert.eval.experiments;

/**
 * Per-layer gradient norms of one probe batch.
 *
 * @param activation ‖∂L/∂x‖ at each encoder layer's input, then at the last layer's output (length L + 1)
 * @param weight     the L2 norm of all of layer i's weight gradients (length L)
 * @param loss       the probe batch's MLM loss
 */
public record GradientSnapshot(double[] activation, double[] weight, double loss) {

    /** Layer 0's input gradient over the last layer's: below 1 means gradients shrink toward the input. */
    public double activationRatio() {
        return activation[0] / activation[activation.length - 2];
    }

    /** Layer 0's weight-gradient norm over the last layer's. */
    public double weightRatio() {
        return weight[0] / weight[weight.length - 1];
    }
}
