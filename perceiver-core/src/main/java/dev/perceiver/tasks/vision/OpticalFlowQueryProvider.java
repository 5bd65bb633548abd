package dev.perceiver.tasks.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.model.adapter.QueryProvider;
import dev.perceiver.nn.Module;

/** Output queries of the optical flow decoder: the adapted encoder input itself (b, h*w, C). No parameters. */
public final class OpticalFlowQueryProvider extends Module implements QueryProvider {
    private final int numQueryChannels;

    public OpticalFlowQueryProvider(NDManager m, int numQueryChannels) {
        super(m);
        this.numQueryChannels = numQueryChannels;
    }

    @Override
    public int numQueryChannels() {
        return numQueryChannels;
    }

    @Override
    public boolean usesAdaptedInput() {
        return true;
    }

    @Override
    public NDArray query(NDArray xAdapted) {
        if (xAdapted == null || xAdapted.getShape().get(xAdapted.getShape().dimension() - 1) != numQueryChannels) {
            throw new IllegalArgumentException(
                    "optical flow queries need the adapted input with " + numQueryChannels + " channels");
        }
        return xAdapted;
    }
}
