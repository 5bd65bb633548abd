package dev.perceiver.tools.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.perceiver.nn.Module;

/**
 * matmul (calibration, opt-in): one n x n float32 matrix product (n = 2048 at full size), the ceiling WORKLOADS.md
 * holds the other figures against; its GFLOP/s on the same machine and threads turns their GFLOP/s into a
 * fraction of what the machine can do.
 */
final class MatmulCase extends BenchCase {
    private final NDArray a;
    private final NDArray b;
    private final long n;

    MatmulCase(NDManager base, BenchOptions o) {
        super(base, o.seed());
        n = WorkloadModels.sizes(o.scale()).matmulSize();
        a = uniform(n, n);
        b = uniform(n, n);
    }

    @Override
    float run() {
        return firstFinite(a.matMul(b), "matmul product");
    }

    @Override
    long itemsPerRep() {
        return 1;
    }

    @Override
    long flopsPerItem() {
        return MatmulFlops.linear(n, n, n);
    }

    @Override
    Module model() {
        return null;
    }
}
