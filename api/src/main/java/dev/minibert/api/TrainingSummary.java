package dev.minibert.api;

import dev.minibert.model.train.TrainingLoop;
import java.nio.file.Path;

/**
 * How a training run ended.
 *
 * @param steps optimizer steps taken, resumed ones included
 * @param lastLoss the last step's training loss
 * @param stoppedEarly whether early stopping ended the run before its last step
 * @param model the directory holding the trained model
 */
public record TrainingSummary(long steps, double lastLoss, boolean stoppedEarly, Path model) {
    static TrainingSummary of(TrainingLoop.Result r, Path model) {
        return new TrainingSummary(r.steps(), r.lastLoss(), r.stoppedEarly(), model);
    }
}
