package dev.minibert.model;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which of the encoder's arrays share memory: the one place that says so (llm.c's {@code ActivationTensors}). Every
 * layer declares the same {@link Slot}s in the same order ({@link BertLayer#slots()}); per layer (legend in
 * package-info, dropout's only when it drops, * passed on: read only by the next module of the same forward):
 * <pre>
 *   forward   attention.self    query+key+value y [N,3H], probs [B,A,T,T], dropout.y [B,A,T,T], context [N,H]
 *             attention.output  dense.y* [N,H], dropout.y* [N,H], sum* [N,H], LayerNorm.y [N,H], LayerNorm.xHat [N,H]
 *             intermediate      dense.y [N,I], gelu.y [N,I]
 *             output            as attention.output
 *   backward  the same modules' dx, their widths as their inputs', and attention.self's dDropped [B,A,T,T],
 *             dQKV [N,3H]
 * </pre>
 * The plan:
 * <pre>
 *   training   forward slots:    one memory per layer: backward (or the next layer) reads them
 *              passed-on slots:  one set (two for the layer's output, pre-norm's sum): dead once the layer's forward
 *                                is done
 *              backward slots:   two sets, layer i's in set i % 2: a layer's gradients are dead once the layer below
 *                                has read the one it returned
 *   noGrad     forward and passed-on slots: one set shared by every layer, but for the layer's output (post-norm
 *                                output.LayerNorm.y, pre-norm output.sum), which has two, layer i's in set i % 2:
 *                                layer i+1 reads layer i's output and nothing else of it, so memory does not grow
 *                                with depth and only the output is held twice (#24: two whole sets were ~46 MB of
 *                                L12 H128 inference at batch 32 x 128); the GELU writes over its input, the
 *                                intermediate dense layer's output (a frozen post-norm layer writes neither:
 *                                {@link FrozenLayerRows} keeps a block's rows per thread); LayerNorm's xHat,
 *                                which only backward reads, is neither written nor allocated
 * </pre>
 * The encoder's final LayerNorm (pre-norm) keeps its own memory.
 */
final class MemoryPlan {
    private final BertConfig config;
    private final List<List<Slot>> layers;
    private final List<Slot> own;
    private final int output;                   // the index of the layer's output among its slots
    private final int overInput;                // a slot written over slot `input` under noGrad, or -1
    private final int input;
    private final Scratch.Memory[][] training;  // [layer][slot]: forward slots, training
    private final Scratch.Memory[][] shared;    // [set][slot]: forward slots under noGrad, passed-on slots always;
                                                // both sets one memory but at the output's index

    /**
     * layers: each layer's slots, all in one order; outputs: each layer's output, one of its slots (at one index in
     * all); inPlace, or null: a slot of each layer that noGrad puts over the memory of its slot in inputs, an
     * element-wise function's output over an input nothing else reads (the GELU over its dense layer's output [N,I]:
     * backward would read that input, noGrad has none); own: slots that keep their own memory.
     */
    MemoryPlan(BertConfig config, List<List<Slot>> layers, List<Slot> outputs, List<Slot> inputs,
               List<Slot> inPlace, List<Slot> own) {
        this.config = config;
        this.layers = layers;
        this.own = own;
        int slots = layers.get(0).size();
        this.output = indexOf(layers.get(0), outputs.get(0));
        this.overInput = inPlace == null ? -1 : indexOf(layers.get(0), inPlace.get(0));
        this.input = inputs == null ? -1 : indexOf(layers.get(0), inputs.get(0));
        if (overInput >= 0 && (overInput == output || input == output || layers.get(0).get(overInput).pass()
                != Slot.Pass.FORWARD || layers.get(0).get(input).pass() != Slot.Pass.FORWARD)) {
            throw new IllegalArgumentException("only a forward slot, not the output, can be written over another");
        }
        training = memories(layers.size(), slots);
        shared = memories(2, slots);
        for (int k = 0; k < slots; k++) {
            if (k != output) {
                shared[1][k] = shared[0][k]; // dead before the next layer's forward writes it
            }
        }
        if (overInput >= 0) {
            shared[0][overInput] = shared[0][input];
            shared[1][overInput] = shared[1][input];
        }
        Scratch.Memory[][] gradients = memories(2, slots);
        for (int i = 0; i < layers.size(); i++) {
            List<Slot> slotsOfLayer = layers.get(i);
            if (slotsOfLayer.size() != slots) {
                throw new IllegalArgumentException("layer " + i + " declares " + slotsOfLayer.size() + " slots, layer 0 "
                        + slots);
            }
            if (indexOf(slotsOfLayer, outputs.get(i)) != output) {
                throw new IllegalArgumentException("layer " + i + "'s output is not its slot " + output + " as layer 0's");
            }
            if (overInput >= 0 && (indexOf(slotsOfLayer, inPlace.get(i)) != overInput
                    || indexOf(slotsOfLayer, inputs.get(i)) != input)) {
                throw new IllegalArgumentException("layer " + i + "'s in-place slots are not at layer 0's indices");
            }
            for (int k = 0; k < slots; k++) {
                switch (slotsOfLayer.get(k).pass()) {
                    case PASSED_ON -> slotsOfLayer.get(k).use(shared[i % 2][k]);
                    case BACKWARD -> slotsOfLayer.get(k).use(gradients[i % 2][k]);
                    case FORWARD -> { } // bound before each forward
                }
            }
        }
    }

    private static int indexOf(List<Slot> slots, Slot slot) {
        for (int k = 0; k < slots.size(); k++) {
            if (slots.get(k) == slot) {
                return k;
            }
        }
        throw new IllegalArgumentException(slot + " is not one of the layer's slots");
    }

    private static Scratch.Memory[][] memories(int sets, int slots) {
        Scratch.Memory[][] memories = new Scratch.Memory[sets][slots];
        for (Scratch.Memory[] set : memories) {
            for (int k = 0; k < slots; k++) {
                set[k] = new Scratch.Memory();
            }
        }
        return memories;
    }

    /** Points layer i's forward slots at its own memory (keepForBackward) or at shared set i % 2. */
    void beforeForward(int layer, boolean keepForBackward) {
        List<Slot> slots = layers.get(layer);
        Scratch.Memory[] memory = keepForBackward ? training[layer] : shared[layer % 2];
        for (int k = 0; k < slots.size(); k++) {
            if (slots.get(k).pass() == Slot.Pass.FORWARD) {
                slots.get(k).use(memory[k]);
            }
        }
    }

    /**
     * The bytes this plan allocates for a forward at batch B and length T (and, with keepForBackward, the backward
     * after it), dropout dropping or not (training): the sum of the declared shapes.
     */
    long bytes(int batch, int seqLen, DataType type, boolean training, boolean keepForBackward) {
        int sets = Math.min(layers.size(), 2);
        long forward = bytes(layers.get(0), Slot.Pass.FORWARD, batch, seqLen, type, training, keepForBackward);
        long passedOn = bytes(layers.get(0), Slot.Pass.PASSED_ON, batch, seqLen, type, training, keepForBackward);
        long backward = bytes(layers.get(0), Slot.Pass.BACKWARD, batch, seqLen, type, training, keepForBackward);
        long ownForward = bytes(own, Slot.Pass.FORWARD, batch, seqLen, type, training, keepForBackward);
        long ownBackward = bytes(own, Slot.Pass.BACKWARD, batch, seqLen, type, training, keepForBackward);
        Slot out = layers.get(0).get(output);
        long outputBytes = out.writtenWhen(training, keepForBackward) ? out.bytes(config, batch, seqLen, type) : 0;
        long secondOutput = (sets - 1) * outputBytes; // the output's second set, where it is shared
        long inPlaceBytes = overInput < 0 ? 0 : layers.get(0).get(overInput).bytes(config, batch, seqLen, type);
        return keepForBackward
                ? layers.size() * forward + passedOn + (out.pass() == Slot.Pass.PASSED_ON ? secondOutput : 0)
                        + sets * backward + ownForward + ownBackward
                : forward - inPlaceBytes + passedOn + secondOutput + ownForward;
    }

    private long bytes(List<Slot> slots, Slot.Pass pass, int batch, int seqLen, DataType type, boolean training,
                       boolean keepForBackward) {
        return slots.stream().filter(s -> s.pass() == pass && s.writtenWhen(training, keepForBackward))
                .mapToLong(s -> s.bytes(config, batch, seqLen, type)).sum();
    }
}
